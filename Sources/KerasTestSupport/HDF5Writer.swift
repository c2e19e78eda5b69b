import CHDF5
import Foundation
import KerasModel

/// Writes an HDF5 file from the JSON description `scripts/reference/h5_to_json.py` makes of a Keras file,
/// so that test models are kept as text and rebuilt when the tests run. String attributes become
/// variable-length UTF-8 strings, string arrays fixed-length NULLPAD arrays (as h5py and Keras write them),
/// empty arrays empty float attributes, datasets 32-bit floats (declared only, when they have no values).
public enum HDF5Writer {
    public struct Description: Decodable {
        struct Group: Decodable {
            let path: String
            let attributes: [String: Attribute]
        }
        struct Dataset: Decodable {
            let path: String
            let shape: [Int]
            let values: [Float]
        }
        enum Attribute: Decodable {
            case text(String)
            case list([String])

            init(from decoder: Decoder) throws {
                let container = try decoder.singleValueContainer()
                if let text = try? container.decode(String.self) { self = .text(text) } else { self = .list(try container.decode([String].self)) }
            }
        }
        let attributes: [String: Attribute]
        let groups: [Group]
        let datasets: [Dataset]
    }

    struct WriteError: Error, CustomStringConvertible {
        let description: String
    }

    /// Writes the model described at `descriptionFile` into a new temporary folder after `change` edited the
    /// description (as JSON objects) and `config` the model config it holds; returns the file's path.
    public static func crafted(from descriptionFile: URL, change: (inout [String: Any]) -> Void = { _ in },
                               config: (inout [String: Any]) -> Void = { _ in }) throws -> String {
        var description = try JSONSerialization.jsonObject(with: Data(contentsOf: descriptionFile)) as? [String: Any] ?? [:]
        var attributes = description["attributes"] as? [String: Any] ?? [:]
        if let text = attributes["model_config"] as? String,
           var modelConfig = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] {
            config(&modelConfig)
            attributes["model_config"] = String(decoding: try JSONSerialization.data(withJSONObject: modelConfig), as: UTF8.self)
            description["attributes"] = attributes
        }
        change(&description)
        let decoded = try JSONDecoder().decode(Description.self, from: try JSONSerialization.data(withJSONObject: description))
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("facemood-models-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("crafted.h5").path
        try write(decoded, to: path)
        return path
    }

    public static func write(_ description: Description, to path: String) throws {
        let errorPrinting = HDF5ErrorPrinting.silence()
        defer { errorPrinting.restore() }
        let failure = { (what: String) in WriteError(description: "\(path): cannot write \(what)") }
        let file = try HDF5Handle(H5Fcreate(path, chdf5_acc_trunc(), chdf5_default(), chdf5_default()), .file, or: failure("the file"))
        let links = try HDF5Handle(H5Pcreate(chdf5_link_create()), .propertyList, or: failure("a property list"))
        H5Pset_create_intermediate_group(links.id, 1)
        try setAttributes(description.attributes, on: file.id, failure: failure)
        for group in description.groups {
            if H5Lexists(file.id, group.path, chdf5_default()) <= 0 {
                _ = try HDF5Handle(H5Gcreate2(file.id, group.path, links.id, chdf5_default(), chdf5_default()), .group,
                                   or: failure("group \(group.path)"))
            }
            let object = try HDF5Handle(H5Oopen(file.id, group.path, chdf5_default()), .object, or: failure("group \(group.path)"))
            try setAttributes(group.attributes, on: object.id, failure: failure)
        }
        for dataset in description.datasets {
            // The values must fill the shape exactly (HDF5 reads the whole declared size from the buffer).
            var elements = 1
            for dimension in dataset.shape {
                let (product, overflow) = elements.multipliedReportingOverflow(by: max(dimension, 0))
                guard dimension >= 0, dataset.shape.count <= 32, !overflow else { throw failure("dataset \(dataset.path): shape \(dataset.shape)") }
                elements = product
            }
            guard dataset.values.isEmpty || dataset.values.count == elements else {
                throw failure("dataset \(dataset.path): \(dataset.values.count) values for shape \(dataset.shape)")
            }
            var dims = dataset.shape.map { hsize_t($0) }
            let space = try HDF5Handle(H5Screate_simple(Int32(dims.count), &dims, nil), .dataspace, or: failure("a dataspace"))
            let handle = try HDF5Handle(H5Dcreate2(file.id, dataset.path, chdf5_native_float(), space.id, links.id, chdf5_default(),
                                                   chdf5_default()), .dataset, or: failure("dataset \(dataset.path)"))
            // A dataset given a shape but no values is declared and never written (a crafted file's trick).
            if dataset.values.isEmpty { continue }
            let status = dataset.values.withUnsafeBytes {
                H5Dwrite(handle.id, chdf5_native_float(), chdf5_s_all(), chdf5_s_all(), chdf5_default(), $0.baseAddress)
            }
            guard status >= 0 else { throw failure("dataset \(dataset.path)") }
        }
    }

    private static func setAttributes(_ attributes: [String: Description.Attribute], on object: hid_t,
                                      failure: (String) -> WriteError) throws {
        for (name, value) in attributes.sorted(by: { $0.key < $1.key }) {
            switch value {
            case let .text(text):
                let type = try HDF5Handle(H5Tcopy(chdf5_c_s1()), .datatype, or: failure("attribute \(name)"))
                H5Tset_size(type.id, chdf5_variable())
                // As h5py writes a Python str (Keras 3's model_config): variable-length UTF-8.
                H5Tset_cset(type.id, H5T_CSET_UTF8)
                let space = try HDF5Handle(H5Screate(H5S_SCALAR), .dataspace, or: failure("attribute \(name)"))
                let attribute = try HDF5Handle(H5Acreate2(object, name, type.id, space.id, chdf5_default(), chdf5_default()),
                                               .attribute, or: failure("attribute \(name)"))
                let status = text.withCString { pointer -> herr_t in
                    var pointers: [UnsafePointer<CChar>?] = [pointer]
                    return H5Awrite(attribute.id, type.id, &pointers)
                }
                guard status >= 0 else { throw failure("attribute \(name)") }
            case let .list(items) where items.isEmpty:
                var dims: [hsize_t] = [0]
                let space = try HDF5Handle(H5Screate_simple(1, &dims, nil), .dataspace, or: failure("attribute \(name)"))
                _ = try HDF5Handle(H5Acreate2(object, name, chdf5_native_double(), space.id, chdf5_default(), chdf5_default()),
                                   .attribute, or: failure("attribute \(name)"))
            case let .list(items):
                let width = max(items.map(\.utf8.count).max() ?? 1, 1)
                let type = try HDF5Handle(H5Tcopy(chdf5_c_s1()), .datatype, or: failure("attribute \(name)"))
                H5Tset_size(type.id, width)
                H5Tset_strpad(type.id, H5T_STR_NULLPAD)
                var dims = [hsize_t(items.count)]
                let space = try HDF5Handle(H5Screate_simple(1, &dims, nil), .dataspace, or: failure("attribute \(name)"))
                let attribute = try HDF5Handle(H5Acreate2(object, name, type.id, space.id, chdf5_default(), chdf5_default()),
                                               .attribute, or: failure("attribute \(name)"))
                var bytes = [UInt8](repeating: 0, count: width * items.count)
                for (index, item) in items.enumerated() {
                    for (offset, byte) in item.utf8.enumerated() { bytes[index * width + offset] = byte }
                }
                guard H5Awrite(attribute.id, type.id, bytes) >= 0 else { throw failure("attribute \(name)") }
            }
        }
    }
}
