// HeliumClient.swift
//
// Hand-written convenience layer over the generated HeliumSDK code.
// deploy/gen-sdks.sh never writes to Sources/HeliumSDK/Helium/, so edits here survive
// regeneration. Only types whose names are fixed by the API contract are used
// (HeliumSDKAPIConfiguration, ErrorResponse), never generated model names.

import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One entry of `errors` in a Helium problem document (validation failures).
public struct HeliumFieldError: Sendable, Hashable, Codable {
    public let field: String
    public let code: String
    public let message: String

    public init(field: String, code: String, message: String) {
        self.field = field
        self.code = code
        self.message = message
    }
}

/// An RFC 9457 `application/problem+json` error returned by the Helium API.
///
/// `code` is the stable machine-readable error code (`not_found`, `validation_failed`,
/// `rate_limited`, ...); see openapi/README.md for the full list.
public struct HeliumProblemError: Error, Sendable, Hashable, CustomStringConvertible {
    public let status: Int
    public let code: String
    public let type: String
    public let title: String
    public let detail: String?
    public let requestId: String?
    public let errors: [HeliumFieldError]
    /// The raw response body.
    public let body: Data

    private struct Wire: Decodable {
        let type: String?
        let title: String?
        let status: Int?
        let detail: String?
        let code: String?
        let requestId: String?
        let errors: [HeliumFieldError]?

        enum CodingKeys: String, CodingKey {
            case type, title, status, detail, code, errors
            case requestId = "request_id"
        }
    }

    /// Decodes a problem document; `nil` when `body` is not a JSON object with a `code`.
    public init?(statusCode: Int, body: Data) {
        guard !body.isEmpty,
              let wire = try? JSONDecoder().decode(Wire.self, from: body),
              let code = wire.code
        else {
            return nil
        }
        self.status = wire.status ?? statusCode
        self.code = code
        self.type = wire.type ?? "about:blank"
        self.title = wire.title ?? HTTPURLResponse.localizedString(forStatusCode: statusCode)
        self.detail = wire.detail
        self.requestId = wire.requestId
        self.errors = wire.errors ?? []
        self.body = body
    }

    public var description: String {
        var text = "Helium API error \(status) \(code): \(detail ?? title)"
        if let requestId {
            text += " (request id \(requestId))"
        }
        return text
    }
}

extension ErrorResponse {
    /// The HTTP status code; negative for transport failures (generator convention).
    public var statusCode: Int {
        switch self {
        case let .error(statusCode, _, _, _):
            return statusCode
        }
    }

    /// The decoded problem+json body, if the server sent one.
    public var problem: HeliumProblemError? {
        switch self {
        case let .error(statusCode, data, _, _):
            guard let data else {
                return nil
            }
            return HeliumProblemError(statusCode: statusCode, body: data)
        }
    }
}

/// Factory for API configurations pointing at a Helium server.
///
///     let config = HeliumClient.configuration(baseURL: "https://helium.example.com")
///     let meta = try await MetaAPI.getMeta(apiConfiguration: config)
public enum HeliumClient {
    /// - Parameters:
    ///   - baseURL: server origin, without the `/api/v1` prefix (operations carry it).
    ///   - accessToken: JWT sent as `Authorization: Bearer ...` (customerBearer / adminBearer).
    ///   - apiKey: admin API key sent as `X-API-Key` (adminApiKey).
    ///   - customHeaders: extra headers sent with every request.
    public static func configuration(
        baseURL: String,
        accessToken: String? = nil,
        apiKey: String? = nil,
        customHeaders: [String: String] = [:]
    ) -> HeliumSDKAPIConfiguration {
        var headers = customHeaders
        if let accessToken {
            headers["Authorization"] = "Bearer \(accessToken)"
        }
        if let apiKey {
            headers["X-API-Key"] = apiKey
        }
        var basePath = baseURL
        while basePath.hasSuffix("/") {
            basePath.removeLast()
        }
        return HeliumSDKAPIConfiguration(
            basePath: basePath,
            customHeaders: headers,
            apiResponseQueue: DispatchQueue.global(qos: .userInitiated)
        )
    }
}
