import ArgumentParser
import DescentOptim

/// Hyperparameters given on the command line as `--name value` pairs, in kebab case or PyTorch's
/// snake case (`--weight-decay 0.01`, `--betas 0.9,0.999`, `--nesterov`, `--amsgrad true`).
struct OptimizerOptions {
  /// The options by Descent's camelCase name.
  var values: [String: HyperparameterValue] = [:]

  /// Parses `arguments`; throws a ValidationError naming the argument that is not understood or
  /// given twice.
  init(parsing arguments: [String]) throws {
    var index = 0
    while index < arguments.count {
      let argument = arguments[index]
      guard argument.hasPrefix("--"), argument.count > 2 else {
        throw ValidationError("unexpected argument '\(argument)': hyperparameters are --name value")
      }
      var name = String(argument.dropFirst(2))
      var text: String?
      if let equals = name.firstIndex(of: "=") {
        text = String(name[name.index(after: equals)...])
        name = String(name[..<equals])
      } else if index + 1 < arguments.count, !Self.isOptionName(arguments[index + 1]) {
        text = arguments[index + 1]
        index += 1
      }
      let key = OptimizerCatalog.swiftName(name.replacingOccurrences(of: "-", with: "_"))
      guard values[key] == nil else {
        throw ValidationError("--\(name) is given twice; give each hyperparameter once")
      }
      values[key] = try Self.value(text, option: "--\(name)")
      index += 1
    }
  }

  private static func isOptionName(_ text: String) -> Bool {
    text.hasPrefix("--") || (text.hasPrefix("-") && Double(text) == nil)
  }

  private static func value(_ text: String?, option: String) throws -> HyperparameterValue {
    guard let text else { return .flag(true) }
    switch text.lowercased() {
    // Hyperparameters hold numbers and flags only; LBFGS's one line search, PyTorch's
    // `line_search_fn="strong_wolfe"`, is the flag `lineSearchFn: true`.
    case "true", "yes", "strong_wolfe": return .flag(true)
    case "false", "no": return .flag(false)
    default: break
    }
    let parts = text.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
    if parts.count == 1, let number = parts[0], number.isFinite { return .number(number) }
    if parts.count == 2, let first = parts[0], let second = parts[1], first.isFinite,
      second.isFinite
    {
      return .pair(first, second)
    }
    if parts.count > 2, parts.allSatisfy({ $0?.isFinite == true }) {
      return .list(parts.compactMap { $0 })
    }
    // A word names a choice (Muon's `match_rms_adamw`, `bfloat16`); the optimizer checks it.
    if parts.allSatisfy({ $0 == nil }),
      text.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }),
      text.first?.isLetter == true
    {
      return .text(text)
    }
    throw ValidationError(
      "\(option) \(text): expected a finite number, a pair like 0.9,0.999, true/false or a word")
  }
}

/// Resolves a user-typed optimizer name (any case or an alias, e.g. `adam`, `adam8bit`) to its
/// class name.
func optimizerClassName(_ typed: String) throws -> String {
  if let entry = OptimizerCatalog.entry(named: typed) { return entry.name }
  throw ValidationError(
    "unknown optimizer '\(typed)'; choose one of \(OptimizerCatalog.names.joined(separator: ", "))")
}
