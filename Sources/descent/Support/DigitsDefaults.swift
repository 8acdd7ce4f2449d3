import DescentOptim

/// Learning rates that train the digits MLP well in 20 epochs of batch 32, per optimizer; used
/// when `--lr` is not given (PyTorch's own defaults suit some of them poorly, e.g. SGD's 0.001).
/// Each comes from the optimizer's entry in ``OptimizerCatalog/entries``.
enum DigitsDefaults {
  /// The learning rate for `optimizer` (a class name or alias; 0.001 when unknown).
  static func learningRate(for optimizer: String) -> Double {
    OptimizerCatalog.entry(named: optimizer)?.digitsLR ?? 0.001
  }
}
