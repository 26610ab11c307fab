"""Sweeps: specs, sample designs, batched evaluation, executors, the store, statistics, reports."""
