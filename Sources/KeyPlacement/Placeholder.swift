// KeyPlacement: placeholder until the module lands.
