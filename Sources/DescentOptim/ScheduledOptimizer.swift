/// What a learning-rate scheduler needs of an optimizer.
public protocol ScheduledOptimizer: AnyObject {
  /// The number of parameter groups.
  var paramGroupCount: Int { get }
  /// The learning rate of group `index`.
  func learningRate(ofGroup index: Int) -> Double
  /// Sets the learning rate of group `index`.
  func setLearningRate(_ value: Double, ofGroup index: Int)
  /// The momentum-like hyperparameter of group `index`: `momentum` (SGD, RMSprop) or the first beta
  /// (Adam family); `nil` when the algorithm has none.
  func momentum(ofGroup index: Int) -> Double?
  /// Sets the momentum-like hyperparameter of group `index` (no effect when it has none).
  func setMomentum(_ value: Double, ofGroup index: Int)
}
