"""Batch scoring (``stratum predict`` / ``%stratum_predict``): a bundle's model over a file
too big for one request, in chunks on the Dask cluster, with the prediction service's own
runtime (:mod:`stratum_jupyter.serving`), so that a file scored here gets the answers its
rows would get from ``POST /predict``.

- :mod:`.sources`: what INPUT is (CSV/Parquet files, a ``.npy`` array), checked against the
  bundle's ``input_schema`` before any work, and read a chunk at a time;
- :mod:`.scoring`: one chunk through the service's runtime, on a worker (the model folder
  travels to the workers once, as bytes);
- :mod:`.remote`: one chunk through a deployed service (``--url``);
- :mod:`.output`: OUTPUT, a folder of Parquet parts and a manifest a rerun resumes from;
- :mod:`.driver`: the chunks on the cluster, a bounded number in flight, progress, Ctrl-C.
"""

from __future__ import annotations
