import DescentTensor

/// An optimization algorithm as the ``Optimizer`` base runs it: its hyperparameters, how it
/// creates a parameter's state, and how a step updates the parameters.
///
/// Every requirement must be implemented (there are no defaults that trap), so a missing piece
/// fails to compile. Element-wise algorithms adopt ``ElementwiseAlgorithm``, which queues every
/// parameter's update into one work list for the shared kernel; an algorithm that is not
/// element-wise (a factored method) adopts ``DirectAlgorithm`` and updates each parameter itself.
public protocol OptimizerAlgorithm: CatalogConstructible {
  /// The algorithm's hyperparameters.
  associatedtype Settings: Hyperparameters
  /// PyTorch's class name (`"Adam"`).
  static var name: String { get }
  /// Whether state is created for every parameter at construction (Adagrad) rather than at its
  /// first step with a gradient.
  static var createsStateEagerly: Bool { get }
  /// Why `parameter` cannot be optimized by this algorithm (Muon takes matrices only), or `nil`
  /// when it can; checked when the parameter is given to the optimizer.
  static func unsupportedReason(for parameter: Parameter<Scalar>) -> String?
  /// A fresh state for `parameter`.
  static func initialState(for parameter: Parameter<Scalar>, _ settings: Settings)
    -> ParameterState<Scalar>
  /// Prepares this step's update of `parameter`, which has a gradient (`state.step` already
  /// incremented): an element-wise algorithm queues it in `plan`, to run with every other
  /// parameter's by ``runPlan(_:on:path:)``; any other algorithm updates the parameter at once.
  static func plan(
    _ parameter: Parameter<Scalar>, state: inout ParameterState<Scalar>,
    hyperparameters: Settings, into plan: inout StepPlan<Self>, path: KernelPath)
  /// Runs the updates queued in `plan` (on `pool`'s threads) and empties it.
  static func runPlan(_ plan: inout StepPlan<Self>, on pool: WorkerPool, path: KernelPath)
  /// The optimizer that runs this algorithm over `groups`: an ``Optimizer``, or the subclass the
  /// algorithm needs (the schedule-free train/eval switch, Adafactor's factored state dict).
  static func makeOptimizer(groups: [ParameterGroup<Scalar>], defaults: Settings, name: String)
    throws -> Optimizer<Self>
}

/// An algorithm whose update is the same formula at every element: a value holding the step's
/// constants (bias corrections, step size, ...) and the formula over ``Lane``, written once for
/// the scalar and the SIMD paths.
///
/// The built-in rules run a step compiled for their concrete type (see `Optimizer.update()`).
/// A rule of your own runs its elements at the same speed when it is defined for one concrete
/// scalar type (`typealias Scalar = Float`) and marks ``update(_:)`` `@inline(__always)`, as the
/// built-in rules do: the kernel is inlinable, so your module compiles it for your rule. A rule
/// generic over its scalar type gives the same numbers but runs the generic kernel, in which
/// every lane goes through the protocol: about 100 ns per element instead of under 1.
public protocol ElementwiseAlgorithm: OptimizerAlgorithm {
  /// The constants of one step of one parameter, computed once before the loop; may add
  /// buffers and update scalar state (the step count is already incremented).
  init(_ settings: Settings, state: inout ParameterState<Scalar>)
  /// The update of one lane of elements.
  func update<L: Lane>(_ slots: inout LaneSlots<L>) where L.Scalar == Scalar
}

/// An algorithm that updates each parameter on its own, from the whole gradient (Adafactor's
/// factored second moment needs a parameter's rows and columns).
public protocol DirectAlgorithm: OptimizerAlgorithm {
  /// Updates `parameter` in place from `gradient`; `state.step` has already been incremented.
  static func update(
    _ parameter: Parameter<Scalar>, gradient: Tensor<Scalar>, state: inout ParameterState<Scalar>,
    hyperparameters: Settings, path: KernelPath)
}

extension OptimizerAlgorithm {
  /// State is created at a parameter's first step with a gradient, as most of PyTorch's
  /// optimizers do.
  public static var createsStateEagerly: Bool { false }

  /// Every parameter is supported, whatever its shape.
  public static func unsupportedReason(for _: Parameter<Scalar>) -> String? { nil }

  /// A plain ``Optimizer``.
  public static func makeOptimizer(
    groups: [ParameterGroup<Scalar>], defaults: Settings, name: String
  ) throws -> Optimizer<Self> {
    try Optimizer(groups: groups, defaults: defaults, name: name)
  }
}

extension DirectAlgorithm {
  /// Updates `parameter` at once; nothing is queued.
  public static func plan(
    _ parameter: Parameter<Scalar>, state: inout ParameterState<Scalar>,
    hyperparameters: Settings, into _: inout StepPlan<Self>, path: KernelPath
  ) {
    guard let gradient = parameter.grad else { return }
    update(
      parameter, gradient: gradient, state: &state, hyperparameters: hyperparameters, path: path)
  }

  /// Nothing was queued: empties `plan`.
  public static func runPlan(_ plan: inout StepPlan<Self>, on _: WorkerPool, path _: KernelPath) {
    plan.removeAll()
  }
}
