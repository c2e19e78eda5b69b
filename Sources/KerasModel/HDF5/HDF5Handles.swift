import CHDF5

/// One owned HDF5 identifier, closed in deinit by the function matching its kind and nowhere else.
final class HDF5Handle {
    enum Kind { case file, group, dataset, attribute, dataspace, datatype, propertyList, object }

    let id: hid_t
    let kind: Kind

    /// Wraps `id`, or throws `failure` when HDF5 returned a negative identifier.
    init(_ id: hid_t, _ kind: Kind, or failure: @autoclosure () -> Error) throws {
        guard id >= 0 else { throw failure() }
        self.id = id
        self.kind = kind
    }

    deinit {
        switch kind {
        case .file: H5Fclose(id)
        case .group: H5Gclose(id)
        case .dataset: H5Dclose(id)
        case .attribute: H5Aclose(id)
        case .dataspace: H5Sclose(id)
        case .datatype: H5Tclose(id)
        case .propertyList: H5Pclose(id)
        case .object: H5Oclose(id)
        }
    }
}

/// Silences the library's own error printing. The thread-safe HDF5 build keeps this setting per thread,
/// so every entry point calls it on its own thread.
func silenceHDF5Errors() {
    chdf5_silence_errors()
}
