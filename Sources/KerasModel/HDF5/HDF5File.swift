import CHDF5
import Foundation

/// Read-only access to the parts of an HDF5 file a Keras model uses: groups, string attributes, float datasets.
final class HDF5File {
    let path: String
    private let file: HDF5Handle

    init(path: String) throws {
        self.path = path
        guard let handle = try? HDF5Handle(H5Fopen(path, chdf5_acc_rdonly(), chdf5_default()), .file,
                                           or: ModelError.notHDF5(path: path, reason: "")) else {
            throw ModelError.notHDF5(path: path, reason: Self.whyNotOpened(path))
        }
        file = handle
    }

    private static func whyNotOpened(_ path: String) -> String {
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) { return "no such file" }
        if isDirectory.boolValue { return "it is a directory" }
        if H5Fis_hdf5(path) <= 0 { return "not an HDF5 file" }
        return "HDF5 cannot open it (truncated or damaged)"
    }

    var root: HDF5Object { HDF5Object(file: self, handle: file, path: "/") }

    func group(_ groupPath: String) throws -> HDF5Object {
        let handle = try HDF5Handle(H5Gopen2(file.id, groupPath, chdf5_default()), .group,
                                    or: ModelError.malformed(path: path, expected: "a group '\(groupPath)'", found: "none"))
        return HDF5Object(file: self, handle: handle, path: groupPath)
    }

    func exists(_ linkPath: String) -> Bool {
        var partial = ""
        for component in linkPath.split(separator: "/") {
            partial += "/" + component
            if H5Lexists(file.id, partial, chdf5_default()) <= 0 { return false }
        }
        return true
    }

    /// A float dataset and its shape, converted to 32-bit floats by HDF5.
    /// Its size is checked against `budget` before anything is allocated.
    func floatDataset(_ datasetPath: String, budget: inout ByteBudget) throws -> (shape: [Int], values: [Float]) {
        let missing = ModelError.malformed(path: path, expected: "a weight dataset '\(datasetPath)'", found: "none")
        guard exists(datasetPath) else { throw missing }
        let dataset = try HDF5Handle(H5Dopen2(file.id, datasetPath, chdf5_default()), .dataset, or: missing)
        let type = try HDF5Handle(H5Dget_type(dataset.id), .datatype, or: missing)
        let typeClass = H5Tget_class(type.id)
        guard typeClass == H5T_FLOAT || typeClass == H5T_INTEGER else {
            throw ModelError.malformed(path: path, expected: "numbers in '\(datasetPath)'", found: "HDF5 type class \(typeClass.rawValue)")
        }
        let space = try HDF5Handle(H5Dget_space(dataset.id), .dataspace, or: missing)
        let shape = try dimensions(of: space, what: datasetPath)
        let count: Int
        if shape.contains(0) {
            count = 0
        } else {
            guard let product = ModelLimits.elementCount(shape) else {
                throw ModelError.malformed(path: path, expected: "a weight dataset of a size that fits in memory",
                                           found: "'\(datasetPath)' declared as \(shape.map(String.init).joined(separator: "x"))")
            }
            count = product
        }
        try budget.take(floats: count, path: path, for: "'\(datasetPath)'")
        var values = [Float](repeating: 0, count: count)
        if count > 0 {
            let status = values.withUnsafeMutableBytes {
                H5Dread(dataset.id, chdf5_native_float(), chdf5_s_all(), chdf5_s_all(), chdf5_default(), $0.baseAddress)
            }
            guard status >= 0 else {
                throw ModelError.malformed(path: path, expected: "readable data in '\(datasetPath)'", found: "a read error (truncated file?)")
            }
        }
        return (shape, values)
    }

    func dimensions(of space: HDF5Handle, what: String) throws -> [Int] {
        let rank = H5Sget_simple_extent_ndims(space.id)
        guard rank >= 0, rank <= ModelLimits.datasetRank else {
            throw ModelError.malformed(path: path, expected: "a simple dataspace of at most \(ModelLimits.datasetRank) dimensions for '\(what)'",
                                       found: rank < 0 ? "none" : "\(rank) dimensions")
        }
        var dims = [hsize_t](repeating: 0, count: Int(rank))
        H5Sget_simple_extent_dims(space.id, &dims, nil)
        guard dims.allSatisfy({ $0 <= hsize_t(Int.max) }) else {
            throw ModelError.malformed(path: path, expected: "dimensions that fit in memory for '\(what)'", found: "\(dims)")
        }
        return dims.map { Int($0) }
    }
}

/// A group (or the file's root) whose attributes can be read.
struct HDF5Object {
    let file: HDF5File
    let handle: HDF5Handle
    let path: String

    func hasAttribute(_ name: String) -> Bool { H5Aexists(handle.id, name) > 0 }

    /// A string attribute, fixed-length or variable-length; nil when absent.
    func stringAttribute(_ name: String) throws -> String? {
        guard hasAttribute(name) else { return nil }
        let strings = try stringArrayAttribute(name)
        guard strings.count == 1 else {
            throw ModelError.malformed(path: file.path, expected: "one string in attribute '\(name)' of \(path)",
                                       found: "\(strings.count)")
        }
        return strings[0]
    }

    /// A string-array attribute. A non-string or empty attribute (Keras writes an empty float array for
    /// a layer without weights) reads as no strings.
    func stringArrayAttribute(_ name: String) throws -> [String] {
        let failure = ModelError.malformed(path: file.path, expected: "a readable attribute '\(name)' on \(path)", found: "an HDF5 error")
        guard hasAttribute(name) else { return [] }
        let attribute = try HDF5Handle(H5Aopen(handle.id, name, chdf5_default()), .attribute, or: failure)
        let type = try HDF5Handle(H5Aget_type(attribute.id), .datatype, or: failure)
        let space = try HDF5Handle(H5Aget_space(attribute.id), .dataspace, or: failure)
        let points = H5Sget_simple_extent_npoints(space.id)
        guard H5Tget_class(type.id) == H5T_STRING, points > 0 else { return [] }
        // Keras stores at most a few thousand names, and its config as one string.
        guard points <= 1 << 20 else {
            throw ModelError.malformed(path: file.path, expected: "at most \(1 << 20) strings in attribute '\(name)'", found: "\(points)")
        }
        let count = Int(points)

        if H5Tis_variable_str(type.id) > 0 {
            let memoryType = try HDF5Handle(H5Tcopy(chdf5_c_s1()), .datatype, or: failure)
            H5Tset_size(memoryType.id, chdf5_variable())
            // HDF5 converts no strings between character sets: read UTF-8 (h5py's and Keras 3's) as UTF-8.
            H5Tset_cset(memoryType.id, H5Tget_cset(type.id))
            var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
            guard H5Aread(attribute.id, memoryType.id, &pointers) >= 0 else { throw failure }
            defer { for pointer in pointers { H5free_memory(pointer) } }
            return pointers.map { $0.map { String(cString: $0) } ?? "" }
        }

        // Fixed-length strings may fill their whole width with no terminating NUL.
        let width = H5Tget_size(type.id)
        guard width > 0, width.multipliedReportingOverflow(by: count).partialValue <= 1 << 28,
              !width.multipliedReportingOverflow(by: count).overflow else {
            throw ModelError.malformed(path: file.path, expected: "string attribute '\(name)' of at most \(1 << 28) bytes",
                                       found: "\(count) strings of \(width) bytes")
        }
        let memoryType = try HDF5Handle(H5Tcopy(chdf5_c_s1()), .datatype, or: failure)
        H5Tset_size(memoryType.id, width)
        H5Tset_strpad(memoryType.id, H5T_STR_NULLPAD)
        H5Tset_cset(memoryType.id, H5Tget_cset(type.id))
        var bytes = [UInt8](repeating: 0, count: width * count)
        guard H5Aread(attribute.id, memoryType.id, &bytes) >= 0 else { throw failure }
        return (0..<count).map { index in
            let slice = bytes[(index * width)..<((index + 1) * width)]
            return String(decoding: slice.prefix { $0 != 0 }, as: UTF8.self)
        }
    }
}
