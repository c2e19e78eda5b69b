import FaceMood
import Foundation
import FuzzSupport
import KerasTestSupport

// A Keras model as the test fixtures describe it (root attributes including model_config, groups with
// attributes, datasets with shapes and values), written as HDF5 by the project's writer and loaded; a
// model that loads classifies one face. The HDF5 library's own parsing of damaged files is not what this
// fuzzes: the input is always a well-formed HDF5 file whose contents are hostile.
fuzz { data in
    guard let description = try? JSONDecoder().decode(HDF5Writer.Description.self, from: data) else { return }
    let path = temporaryFile(Data(), name: "model.h5")
    guard (try? HDF5Writer.write(description, to: path)) != nil,
          let classifier = try? EmotionClassifier(modelPath: path, labels: nil) else { return }
    if let face = try? GrayImage(width: 30, height: 30, pixels: [UInt8](repeating: 90, count: 900)) {
        _ = try? classifier.classify(face: face)
    }
}
