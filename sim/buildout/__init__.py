"""Layer 1, build-out: the fleet stock model and the simpy project pipeline."""
