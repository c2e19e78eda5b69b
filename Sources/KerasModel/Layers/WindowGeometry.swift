/// Output size and padding of a sliding window along one axis, by TensorFlow's rule: "valid" keeps only
/// whole windows; "same" gives ceil(input / stride) outputs and, when the padding is odd, puts the extra
/// pixel after (bottom/right), as `tf.nn.conv2d` and `tf.nn.max_pool` do.
package struct WindowAxis: Sendable, Equatable {
    package let input: Int
    package let output: Int
    package let padBefore: Int
    package let kernel: Int
    package let stride: Int
    package let dilation: Int

    package init(input: Int, kernel: Int, stride: Int, dilation: Int = 1, same: Bool) {
        self.input = input
        self.kernel = kernel
        self.stride = stride
        self.dilation = dilation
        let span = (kernel - 1) * dilation + 1
        if same {
            output = (input + stride - 1) / stride
            let total = max((output - 1) * stride + span - input, 0)
            padBefore = total / 2
        } else {
            output = input >= span ? (input - span) / stride + 1 : 0
            padBefore = 0
        }
    }
}

/// A 2-D window (kernel or pool) over a height × width input.
package struct WindowGeometry: Sendable, Equatable {
    package let rows: WindowAxis
    package let columns: WindowAxis

    package init(rows: WindowAxis, columns: WindowAxis) {
        self.rows = rows
        self.columns = columns
    }

    init(spec: LayerSpec, height: Int, width: Int, kernel: (Int, Int), stride: (Int, Int), dilation: (Int, Int) = (1, 1)) throws {
        let padding = try spec.string("padding", default: "valid").lowercased()
        guard padding == "valid" || padding == "same" else {
            throw ModelError.unsupportedConfiguration(path: spec.path, layer: spec.name, setting: "padding",
                                                      value: "'\(padding)' (only valid and same)")
        }
        guard kernel.0 > 0, kernel.1 > 0, stride.0 > 0, stride.1 > 0, dilation.0 > 0, dilation.1 > 0 else {
            throw ModelError.unsupportedConfiguration(path: spec.path, layer: spec.name, setting: "kernel/strides/dilation",
                                                      value: "\(kernel), \(stride), \(dilation)")
        }
        if (stride.0 > 1 || stride.1 > 1) && (dilation.0 > 1 || dilation.1 > 1) {
            // Keras refuses this combination itself; a file that has it did not come from Keras.
            throw ModelError.unsupportedConfiguration(path: spec.path, layer: spec.name, setting: "strides with dilation_rate",
                                                      value: "\(stride) with \(dilation)")
        }
        rows = WindowAxis(input: height, kernel: kernel.0, stride: stride.0, dilation: dilation.0, same: padding == "same")
        columns = WindowAxis(input: width, kernel: kernel.1, stride: stride.1, dilation: dilation.1, same: padding == "same")
        guard rows.output > 0, columns.output > 0 else {
            throw ModelError.shapeMismatch(path: spec.path, layer: spec.name, expected: "an input at least as large as the window",
                                           found: "\(height)x\(width) for a \(kernel.0)x\(kernel.1) window")
        }
    }
}
