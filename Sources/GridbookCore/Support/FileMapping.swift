import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file mapped into memory to be read once from start to end, whose pages already read are
/// given back as reading goes on: reading a visit log of gigabytes keeps tens of megabytes
/// resident, not the file (the pages are the file's own; dropping them loses nothing).
final class FileMapping: Sendable {
    /// The mapping's address (as a number: the bytes are only read, from one thread at a time).
    private let address: Int
    /// The file's size in bytes.
    let count: Int
    /// Where the pages given back end.
    private let released = Mutex(0)
    private static let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))

    /// Maps the file at `path`; nil when it cannot be opened or mapped.
    init?(path: String) {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { return nil }
        count = Int(status.st_size)
        guard count > 0 else {
            address = 0
            return
        }
        guard let mapped = mmap(nil, count, PROT_READ, MAP_PRIVATE, descriptor, 0), mapped != MAP_FAILED else { return nil }
        address = Int(bitPattern: mapped)
        _ = madvise(mapped, count, MADV_SEQUENTIAL)
    }

    private var base: UnsafeMutableRawPointer? { UnsafeMutableRawPointer(bitPattern: address) }

    deinit {
        if let base { munmap(base, count) }
    }

    /// The file's bytes.
    var buffer: UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: base?.assumingMemoryBound(to: UInt8.self), count: count)
    }

    /// Gives back the pages before `offset`: reading them again reads the file again.
    func release(upTo offset: Int) {
        guard let base else { return }
        // Whole pages, but for the file's last one.
        let end = offset >= count ? count : offset / Self.pageSize * Self.pageSize
        released.withLock { released in
            guard end > released else { return }
            _ = madvise(base + released, end - released, MADV_DONTNEED)
            released = end
        }
    }

    /// Starts another pass from the beginning: what it reads is given back again as it goes.
    func rewind() {
        released.withLock { $0 = 0 }
    }

    /// Calls `release` as a pass over the bytes goes on, every 4 MiB (16 MiB kept 16 MB more
    /// resident while a million households were read, for no measurable gain in time).
    static let releaseEvery = 4 << 20
}
