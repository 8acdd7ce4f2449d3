import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Headless Chromium driven through the DevTools protocol over `--remote-debugging-pipe`:
/// Chromium reads commands from its descriptor 3 and writes replies and events to 4, each a JSON
/// message ended by a NUL byte. Enough of the protocol to open a page, run a script in it and
/// press keys, so a test can move a control as a user does.
final class DevToolsPipe {
  private let process: pid_t
  private let commands: Int32
  private let replies: Int32
  private let profile: String
  private var received = Data()
  private var lastID = 0
  private var session: String?

  /// Starts `chromium` with a fresh profile and opens a blank page to drive.
  ///
  /// - Throws: when chromium is missing or does not answer within `timeout` seconds.
  init(timeout: Double = 60) throws {
    let executable = try Chromium.installed()
    var toChromium: [Int32] = [0, 0]
    var fromChromium: [Int32] = [0, 0]
    guard pipe(&toChromium) == 0, pipe(&fromChromium) == 0 else {
      throw ServeTestError("pipe failed: \(String(cString: strerror(errno)))")
    }
    // Only the copies made at 3 and 4 go to Chromium (dup2 clears the flag on them).
    for descriptor in toChromium + fromChromium { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
    guard min(toChromium[0], fromChromium[1]) > 4 else {
      throw ServeTestError("pipe descriptors \(toChromium) \(fromChromium) collide with 3 and 4")
    }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_adddup2(&actions, toChromium[0], 3)
    posix_spawn_file_actions_adddup2(&actions, fromChromium[1], 4)
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    profile =
      FileManager.default.temporaryDirectory
      .appendingPathComponent("descent-devtools-\(UUID().uuidString)").path
    let arguments = [
      executable.path, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
      "--no-first-run", "--remote-debugging-pipe", "--user-data-dir=\(profile)",
      "--window-size=1200,900", "about:blank",
    ]
    let argv = arguments.map { strdup($0) } + [nil]
    defer { for argument in argv { free(argument) } }
    var pid: pid_t = 0
    let spawned = posix_spawn(&pid, executable.path, &actions, nil, argv, environ)
    close(toChromium[0])
    close(fromChromium[1])
    guard spawned == 0 else {
      close(toChromium[1])
      close(fromChromium[0])
      throw ServeTestError("cannot start chromium: \(String(cString: strerror(spawned)))")
    }
    process = pid
    commands = toChromium[1]
    replies = fromChromium[0]
    let target = try call("Target.createTarget", ["url": "about:blank"], timeout: timeout)
    let attached = try call(
      "Target.attachToTarget", ["targetId": target["targetId"] ?? "", "flatten": true],
      timeout: timeout)
    session = attached["sessionId"] as? String
  }

  deinit {
    close(commands)
    close(replies)
    kill(process, SIGKILL)
    var status: Int32 = 0
    waitpid(process, &status, 0)
    try? FileManager.default.removeItem(atPath: profile)
  }

  /// Opens `url` in the page.
  func open(_ url: URL) throws {
    _ = try call("Page.navigate", ["url": url.absoluteString])
  }

  /// The value of the JavaScript `expression` in the page (a string, number or boolean).
  @discardableResult
  func evaluate(_ expression: String) throws -> Any? {
    let result = try call("Runtime.evaluate", ["expression": expression, "returnByValue": true])
    if let exception = result["exceptionDetails"] {
      throw ServeTestError("\(expression) threw \(exception)")
    }
    return (result["result"] as? [String: Any])?["value"]
  }

  /// Waits until `condition` (JavaScript) is true in the page, polling every 50 ms.
  func wait(until condition: String, timeout: Double = 60) throws {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
      if (try? evaluate(condition)) as? Bool == true { return }
      usleep(50_000)
    }
    throw ServeTestError("'\(condition)' still false after \(Int(timeout)) s")
  }

  /// Presses and releases `key` (a DOM key name such as `ArrowLeft`) on the focused element.
  func press(_ key: String, keyCode: Int) throws {
    for type in ["keyDown", "keyUp"] {
      _ = try call(
        "Input.dispatchKeyEvent",
        [
          "type": type, "key": key, "code": key, "windowsVirtualKeyCode": keyCode,
          "nativeVirtualKeyCode": keyCode,
        ])
    }
  }

  /// Clicks the left mouse button at `(x, y)`, CSS pixels from the page's top left corner.
  func click(x: Double, y: Double) throws {
    for type in ["mousePressed", "mouseReleased"] {
      _ = try call(
        "Input.dispatchMouseEvent",
        ["type": type, "x": x, "y": y, "button": "left", "clickCount": 1])
    }
  }

  /// Sends one command and returns its result, skipping the events that arrive meanwhile.
  private func call(_ method: String, _ parameters: [String: Any], timeout: Double = 60) throws
    -> [String: Any]
  {
    lastID += 1
    var message: [String: Any] = ["id": lastID, "method": method, "params": parameters]
    if let session { message["sessionId"] = session }
    var bytes = try JSONSerialization.data(withJSONObject: message)
    bytes.append(0)
    try bytes.withUnsafeBytes { buffer in
      var offset = 0
      while offset < buffer.count {
        let written = write(commands, buffer.baseAddress! + offset, buffer.count - offset)
        guard written > 0 else { throw ServeTestError("chromium closed its command pipe") }
        offset += written
      }
    }
    let deadline = Date().addingTimeInterval(timeout)
    while true {
      let reply = try nextMessage(before: deadline)
      guard reply["id"] as? Int == lastID else { continue }
      if let error = reply["error"] { throw ServeTestError("\(method) failed: \(error)") }
      return reply["result"] as? [String: Any] ?? [:]
    }
  }

  /// The next message from Chromium, waiting at most until `deadline`.
  private func nextMessage(before deadline: Date) throws -> [String: Any] {
    while true {
      if let end = received.firstIndex(of: 0) {
        let message = received[received.startIndex..<end]
        received = Data(received[(end + 1)...])
        return try JSONSerialization.jsonObject(with: message) as? [String: Any] ?? [:]
      }
      let remaining = Int32(max(0, deadline.timeIntervalSinceNow * 1000))
      var descriptor = pollfd(fd: replies, events: Int16(POLLIN), revents: 0)
      guard remaining > 0, poll(&descriptor, 1, remaining) > 0 else {
        throw ServeTestError("chromium did not answer in time")
      }
      var chunk = [UInt8](repeating: 0, count: 65536)
      let count = read(replies, &chunk, chunk.count)
      guard count > 0 else { throw ServeTestError("chromium closed its reply pipe") }
      received.append(contentsOf: chunk[0..<count])
    }
  }
}
