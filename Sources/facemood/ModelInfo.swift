import ArgumentParser
import FaceMood
import KerasModel

struct ModelInfo: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model-info",
        abstract: "Print a classifier's layers, shapes, parameters, labels and preprocessing."
    )

    @Argument(help: "Keras HDF5 model (default: the bundled emotion model).")
    var model: String?

    @OptionGroup var profile: ProfileOptions

    func run() throws {
        let report: ModelInfoReport
        do {
            report = ModelInfoReport(model: try KerasModel(path: model ?? DefaultAssets.modelPath),
                                     labels: profile.parsedLabels, inputRange: profile.parsedInputRange)
        } catch {
            throw fail(error)
        }
        print(report.text())
        if case .failure = report.classifier { throw ExitCode.failure }
    }
}
