"""Writes a Keras model description (`<name>.h5.json`) back to HDF5 with h5py, as Keras itself writes it.

The committed `Tests/Fixtures/keras/dense_activations.h5py.hdf5` comes from this script (h5py pinned in
requirements.txt): a small binary written by h5py rather than by the project's own HDF5 writer, so the
tests read a file whose layout the project did not choose. String attributes are variable-length UTF-8
strings, string arrays fixed-length byte strings (NULLPAD), as Keras's `save_weights_to_hdf5_group` makes
them; datasets 32-bit floats.
"""
import json
import sys

import h5py
import numpy as np


def set_attributes(obj, attributes):
    for name, value in attributes.items():
        if isinstance(value, list):
            obj.attrs[name] = np.asarray([v.encode("utf-8") for v in value], dtype="S") if value else np.zeros((0,), dtype=np.float64)
        else:
            obj.attrs[name] = value


def write(description_path, output_path):
    with open(description_path) as source:
        description = json.load(source)
    with h5py.File(output_path, "w", libver="latest") as handle:
        set_attributes(handle, description["attributes"])
        for group in description["groups"]:
            set_attributes(handle.require_group(group["path"]), group["attributes"])
        for dataset in description["datasets"]:
            values = np.asarray(dataset["values"], dtype=np.float32).reshape(dataset["shape"])
            handle.create_dataset(dataset["path"], data=values)


if __name__ == "__main__":
    write(sys.argv[1], sys.argv[2])
