# fmcore's pytest plugin: the fixtures fmcore_registry and fmcore_device.
pytest_plugins = ["fmcore.testing"]
