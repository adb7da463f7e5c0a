import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The address a server listens on, so that its webhooks are never delivered to itself.
public struct ListeningAddress: Sendable, Equatable {
    /// As given to `serve --host`: a name, an address, or `0.0.0.0` / `::` for every interface.
    public var host: String
    public var port: Int
    /// The machine's own addresses (its interfaces'), for a server listening on every interface.
    public var localAddresses: Set<String>

    /// The address `serve --host --port` listens on; the machine's interfaces are read once here.
    public init(host: String, port: Int, localAddresses: Set<String>? = nil) {
        self.host = Self.bare(host)
        self.port = port
        self.localAddresses = localAddresses ?? Self.interfaceAddresses()
    }

    /// Whether `url` reaches this server: the same port, and its host is the listening host, or a
    /// loopback name or address when the server listens on loopback or on every interface, or one
    /// of the machine's own addresses or its name when it listens on every interface.
    public func isSelf(_ url: URL) -> Bool {
        guard let components = URLComponents(url: url, resolvingAgainstBaseURL: false), let rawHost = components.host else { return false }
        let scheme = components.scheme?.lowercased()
        guard (components.port ?? (scheme == "https" ? 443 : 80)) == port else { return false }
        let target = Self.bare(rawHost)
        if target == host { return true }
        let everyInterface = host.isEmpty || host == "0.0.0.0" || host == "::"
        if Self.isLoopback(target) { return everyInterface || Self.isLoopback(host) }
        return everyInterface && (localAddresses.contains(target) || target == Self.bare(ProcessInfo.processInfo.hostName))
    }

    /// A host lowercased, without IPv6 brackets or a trailing dot.
    static func bare(_ host: String) -> String {
        var text = host.lowercased()
        if text.hasPrefix("["), text.hasSuffix("]") { text = String(text.dropFirst().dropLast()) }
        if text.hasSuffix(".") { text = String(text.dropLast()) }
        return text
    }

    /// Whether a bare host is a loopback name or address (`localhost`, `127.0.0.0/8`, `::1`).
    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host.hasSuffix(".localhost") || host.hasPrefix("127.") || host == "::1" || host == "0:0:0:0:0:0:0:1"
    }

    /// The numeric addresses of the machine's interfaces (IPv4 and IPv6, lowercase).
    static func interfaceAddresses() -> Set<String> {
        var found: Set<String> = []
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0, let first = list else { return found }
        defer { freeifaddrs(list) }
        var cursor: UnsafeMutablePointer<ifaddrs>? = first
        while let entry = cursor {
            defer { cursor = entry.pointee.ifa_next }
            guard let address = entry.pointee.ifa_addr else { continue }
            let family = Int32(address.pointee.sa_family)
            guard family == AF_INET || family == AF_INET6 else { continue }
            let length = socklen_t(family == AF_INET ? MemoryLayout<sockaddr_in>.size : MemoryLayout<sockaddr_in6>.size)
            var name = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            if getnameinfo(address, length, &name, socklen_t(name.count), nil, 0, NI_NUMERICHOST) == 0 {
                let text = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                // A link-local IPv6 address carries its interface (`fe80::1%eth0`).
                found.insert(bare(String(text.split(separator: "%").first ?? Substring(text))))
            }
        }
        return found
    }
}
