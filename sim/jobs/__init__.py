"""Layer 3, jobs: job-level queueing (simpy) for one or a few clusters.

Importing the package registers the ``jobs:`` scenario section with the loader
(:mod:`sim.jobs.spec`): its defaults come from the built fleet, so it is parsed
here, above the build-out layer, not in the input layer.
"""

from sim.jobs import spec as _spec  # noqa: F401  (registers the jobs section)
