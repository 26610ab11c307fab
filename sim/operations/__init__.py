"""Layer 2, operations: demand, dispatch, power, climate and grid supply, hourly and vectorised."""
