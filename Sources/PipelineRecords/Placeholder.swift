// PipelineRecords: placeholder until the module lands.
