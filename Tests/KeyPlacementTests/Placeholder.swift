// KeyPlacementTests: placeholder.
