"""Turns a Keras HDF5 file into the JSON description committed as a test fixture.

The fixture is text (`<name>.h5.json`); the tests rebuild the HDF5 file from it with the HDF5 C library,
so that `make test` needs neither TensorFlow nor a binary file in the repository. Kept: string and
string-array attributes (an empty array stays an empty numeric attribute, as Keras writes it for layers
without weights), groups, and float datasets with their shapes.
"""
import json
import sys

import h5py
import numpy as np


def text(value):
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def attributes(obj):
    result = {}
    for name, value in obj.attrs.items():
        if isinstance(value, np.ndarray):
            result[name] = [text(v) for v in value.tolist()]
        else:
            result[name] = text(value)
    return result


def dump(path):
    groups, datasets = [], []
    with h5py.File(path, "r") as handle:
        def visit(name, obj):
            if isinstance(obj, h5py.Group):
                groups.append({"path": "/" + name, "attributes": attributes(obj)})
            else:
                values = np.asarray(obj[()], dtype=np.float32)
                datasets.append({"path": "/" + name, "shape": list(values.shape),
                                 "values": [float(np.format_float_positional(v, unique=True, trim="-")) for v in values.ravel()]})
        handle.visititems(visit)
        root = attributes(handle)
    return {"attributes": root, "groups": groups, "datasets": datasets}


if __name__ == "__main__":
    for path in sys.argv[1:]:
        with open(path + ".json", "w") as out:
            json.dump(dump(path), out, separators=(",", ":"))
            out.write("\n")
