import Foundation

/// The OpenAPI 3.1 description of every `/api/v1` route, served at `GET /openapi.yaml`: the file
/// `Resources/openapi.yaml`, embedded in the executable when it is built (no bundle to ship beside it).
enum OpenAPIDocument {
    static let yaml = String(decoding: PackageResources.openapi_yaml, as: UTF8.self)
}
