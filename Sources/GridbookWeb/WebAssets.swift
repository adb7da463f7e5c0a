import Foundation
import GridbookCore
import HTTPTypes
import Hummingbird

/// The pages' static files (the field app under /app, the sign-in page and the desk's script and
/// style under /static), embedded in the executable: a county copies one file and has them all.
/// With a directory (`serve --web-dir`), they are read from disk at each request instead, for
/// working on them without rebuilding.
struct WebAssets: Sendable {
    /// One file as served.
    struct Asset: Sendable {
        var bytes: [UInt8]
        var contentType: String
        /// A strong validator: a page reloaded offline by the service worker revalidates with it.
        var etag: String
    }

    /// Embedded files by their path under Resources (SwiftPM names each by its file name alone, so
    /// names are unique across the folders).
    static let embedded: [String: [UInt8]] = [
        "app/index.html": PackageResources.index_html,
        "app/app.js": PackageResources.app_js,
        "app/api.js": PackageResources.api_js,
        "app/store.js": PackageResources.store_js,
        "app/outbox.js": PackageResources.outbox_js,
        "app/session.js": PackageResources.session_js,
        "app/strings.js": PackageResources.strings_js,
        "app/sw.js": PackageResources.sw_js,
        "app/app.css": PackageResources.app_css,
        "app/icon.svg": PackageResources.icon_svg,
        "app/manifest.webmanifest": PackageResources.manifest_webmanifest,
        "site/login.html": PackageResources.login_html,
        "site/login.js": PackageResources.login_js,
        "site/desk.css": PackageResources.desk_css,
        "site/desk.js": PackageResources.desk_js,
    ]

    let directory: String?
    /// The embedded files, with their types and validators worked out once.
    private let assets: [String: Asset]

    init(directory: String?) {
        self.directory = directory
        var assets: [String: Asset] = [:]
        for (path, bytes) in Self.embedded { assets[path] = Self.asset(bytes, path: path) }
        self.assets = assets
    }

    /// The file at `path` (`app/app.js`), or nil when there is none.
    func asset(_ path: String) async throws -> Asset? {
        guard let directory else { return assets[path] }
        guard !path.contains(".."), !path.hasPrefix("/") else { return nil }
        let url = URL(fileURLWithPath: directory).appendingPathComponent(path)
        let bytes: [UInt8]? = try await onFileQueue { (try? Data(contentsOf: url)).map { [UInt8]($0) } }
        return bytes.map { Self.asset($0, path: path) }
    }

    static func asset(_ bytes: [UInt8], path: String) -> Asset {
        // FNV-1a over the bytes: enough to tell one version of a file from another.
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return Asset(bytes: bytes, contentType: contentType(of: path), etag: "\"" + String(hash, radix: 16) + "\"")
    }

    /// The type of a file by its extension, text in UTF-8.
    static func contentType(of path: String) -> String {
        switch path.split(separator: ".").last ?? "" {
        case "html": "text/html; charset=utf-8"
        case "js": "text/javascript; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "svg": "image/svg+xml"
        case "json": "application/json; charset=utf-8"
        case "webmanifest": "application/manifest+json; charset=utf-8"
        case "png": "image/png"
        default: "application/octet-stream"
        }
    }

    /// The file as a response: 304 when the browser holds this version, 404 when there is none.
    func response(_ path: String, request: Request) async throws -> Response {
        guard let asset = try await asset(path) else {
            throw HTTPError(.notFound, message: "no such file")
        }
        var headers: HTTPFields = [.contentType: asset.contentType, .eTag: asset.etag, .cacheControl: "no-cache"]
        if path == "app/sw.js" { headers[.serviceWorkerAllowed] = "/app/" }
        if request.headers[.ifNoneMatch] == asset.etag {
            return Response(status: .notModified, headers: headers)
        }
        if request.method == .head {
            // What a GET would answer, without the body (monitoring, curl -I).
            headers[.contentLength] = String(asset.bytes.count)
            return Response(status: .ok, headers: headers)
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: asset.bytes)))
    }
}

extension HTTPField.Name {
    static let serviceWorkerAllowed = Self("Service-Worker-Allowed")!
}
