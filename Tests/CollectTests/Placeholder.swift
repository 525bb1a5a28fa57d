// CollectTests: placeholder.
