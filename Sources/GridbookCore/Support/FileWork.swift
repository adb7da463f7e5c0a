import Dispatch

/// Runs file-system work on a dispatch queue, off Swift's cooperative threads: a server's
/// requests share those two threads, and listing, moving or removing backup files (gigabytes
/// each at county size) can take long enough to hold them up.
public func onFileQueue<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global(qos: .utility).async { continuation.resume(with: Result { try body() }) }
    }
}
