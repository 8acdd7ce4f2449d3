/// Learning rates that train the digits MLP well in 20 epochs of batch 32, per optimizer; used
/// when `--lr` is not given (PyTorch's own defaults suit some of them poorly, e.g. SGD's 0.001).
enum DigitsDefaults {
  /// The learning rate for `optimizer` (PyTorch's class name).
  static func learningRate(for optimizer: String) -> Double {
    switch optimizer {
    case "SGD", "ASGD": 0.05
    case "Adagrad": 0.05
    case "Adadelta": 1.0
    case "Adamax", "NAdam": 0.002
    case "Adafactor": 0.01
    case "LBFGS": 0.1
    case "Lion": 1e-4
    case "AdamWScheduleFree": 0.0025
    case "SGDScheduleFree": 0.5
    case "Muon": 0.02
    default: 0.001
    }
  }
}
