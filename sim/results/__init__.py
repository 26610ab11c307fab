"""Results: labelled datasets, annual summaries, atomic writing, plots and CLI tables."""
