from hypothesis import settings

# Timing is noise on these shared machines: no per-example deadline, so no flaky failures.
settings.register_profile("shared-machines", deadline=None)
settings.load_profile("shared-machines")
