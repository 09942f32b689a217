"""The only code that talks to Docker: labelled services, networks, waits and clean-up."""

import os

# testcontainers reads these at import. Its reaper image cannot be pulled offline and rehearse
# removes its own containers by label; the host may hold a /.dockerenv that would otherwise make
# testcontainers connect through the bridge gateway (docker-offline.md).
for _key, _value in {
    "TESTCONTAINERS_RYUK_DISABLED": "true",
    "TESTCONTAINERS_CONNECTION_MODE": "docker_host",
    "TESTCONTAINERS_HOST_OVERRIDE": "127.0.0.1",
    "TC_POOLING_INTERVAL": "0.2",
}.items():
    os.environ.setdefault(_key, _value)
