import CHDF5

/// One owned HDF5 identifier, closed in deinit by the function matching its kind and nowhere else.
package final class HDF5Handle {
    package enum Kind { case file, group, dataset, attribute, dataspace, datatype, propertyList, object }

    package let id: hid_t
    let kind: Kind

    /// Wraps `id`, or throws `failure` when HDF5 returned a negative identifier.
    package init(_ id: hid_t, _ kind: Kind, or failure: @autoclosure () -> Error) throws {
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

/// The library's own error printing, turned off while facemood reads a file and then put back as the caller
/// had it. The thread-safe HDF5 build keeps this setting per thread, so restore on the same thread.
package struct HDF5ErrorPrinting {
    private let saved: chdf5_error_printing

    package static func silence() -> HDF5ErrorPrinting { HDF5ErrorPrinting(saved: chdf5_silence_errors()) }

    package func restore() { chdf5_restore_errors(saved) }
}
