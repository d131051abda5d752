// MLflow model URIs (`models:/NAME/VERSION`, `models:/NAME@ALIAS`, `runs:/RUN_ID/PATH`,
// `mlflow-artifacts:/PATH`) read from the tracking server in `MLFLOW_TRACKING_URI` over its REST
// API, as MLflow's own clients do:
// - GET /api/2.0/mlflow/model-versions/get-download-uri?name=&version= → `artifact_uri`;
// - GET /api/2.0/mlflow/registered-models/alias?name=&alias= → `model_version.version`;
// - `models:/NAME/STAGE` and `models:/NAME/latest`, `models:/ID` (an MLflow 3 logged model):
//   see MLflowModelSource.swift;
// - GET /api/2.0/mlflow/runs/get?run_id= → `run.info.artifact_uri` (+ `/PATH`);
// - an `mlflow-artifacts:/P` artifact URI through the server's artifact proxy:
//   GET /api/2.0/mlflow-artifacts/artifacts?path=P lists a directory (base names),
//   GET /api/2.0/mlflow-artifacts/artifacts/P/FILE downloads a file.
// Artifact stores the server does not proxy (s3://, file://, ...) are refused, naming the scheme.
//
// Credentials: `MLFLOW_TRACKING_TOKEN` (bearer) or `MLFLOW_TRACKING_USERNAME` and
// `MLFLOW_TRACKING_PASSWORD` (basic), sent to the tracking server's host only, and never
// printed (HTTPError redacts URLs; messages here name the server without them).

import Basics
import FoundationEssentials
import JSON
import Specs

/// A parsed MLflow model URI.
public enum MLflowModelURI: Hashable, Sendable, CustomStringConvertible {
    case version(name: String, version: String)
    case alias(name: String, alias: String)
    case run(id: String, path: String)
    /// `mlflow-artifacts:/PATH` (the path without its leading slashes).
    case artifacts(path: String)
    /// `models:/NAME/STAGE` (`None`, `Staging`, `Production`, `Archived`, in MLflow's spelling),
    /// or `models:/NAME/latest` (stage nil): the newest version in that stage, or of all.
    case stage(name: String, stage: String?)
    /// `models:/ID`: an MLflow 3 logged model (IDs look like `m-` and 32 hex digits).
    case loggedModel(id: String)

    public static let schemes = ["models:", "runs:", "mlflow-artifacts:"]

    /// Whether a model argument is a URI rather than a directory.
    public static func isURI(_ text: String) -> Bool { schemes.contains { text.hasPrefix($0) } }

    public init(parsing text: String) throws(ChannelError) {
        func rest(_ prefix: String) -> Substring {
            var r = text.dropFirst(prefix.count)
            while r.hasPrefix("/") { r = r.dropFirst() }
            while r.hasSuffix("/") { r = r.dropLast() }
            return r
        }
        if text.hasPrefix("models:") {
            let body = rest("models:")
            if let slash = body.lastIndex(of: "/") {
                let name = String(body[..<slash])
                let version = String(body[body.index(after: slash)...])
                guard !name.isEmpty, !name.contains("/") else {
                    throw ChannelError("\(text): expected models:/NAME/VERSION or models:/NAME@ALIAS")
                }
                guard !version.isEmpty, version.allSatisfy(\.isASCII), version.allSatisfy(\.isNumber) else {
                    self = .stage(name: name, stage: try MLflowModelURI.stageName(version, in: text))
                    return
                }
                self = .version(name: name, version: version)
            } else if let at = body.lastIndex(of: "@") {
                let name = String(body[..<at])
                let alias = String(body[body.index(after: at)...])
                guard !name.isEmpty, !alias.isEmpty else { throw ChannelError("\(text): expected models:/NAME@ALIAS") }
                self = .alias(name: name, alias: alias)
            } else {
                guard !body.isEmpty, body.count <= 256,
                    body.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
                else {
                    throw ChannelError(
                        "\(text): expected models:/NAME/VERSION, models:/NAME/STAGE, models:/NAME@ALIAS or models:/MODEL_ID"
                    )
                }
                self = .loggedModel(id: String(body))
            }
        } else if text.hasPrefix("runs:") {
            let body = rest("runs:")
            let slash = body.firstIndex(of: "/") ?? body.endIndex
            let id = String(body[..<slash])
            let path = slash == body.endIndex ? "" : String(body[body.index(after: slash)...])
            guard !id.isEmpty, id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
            else {
                throw ChannelError("\(text): expected runs:/RUN_ID/PATH")
            }
            try MLflowModelURI.checkRelative(path, in: text)
            self = .run(id: id, path: path)
        } else if text.hasPrefix("mlflow-artifacts:") {
            if text.hasPrefix("mlflow-artifacts://") && !text.hasPrefix("mlflow-artifacts:///") {
                throw ChannelError(
                    "\(text): an mlflow-artifacts URI naming a host is not supported; give mlflow-artifacts:/PATH, read through MLFLOW_TRACKING_URI's server"
                )
            }
            let path = String(rest("mlflow-artifacts:"))
            try MLflowModelURI.checkRelative(path, in: text)
            self = .artifacts(path: path)
        } else {
            throw ChannelError("\(text): not an MLflow model URI (models:/, runs:/ or mlflow-artifacts:/)")
        }
    }

    /// A path from a URI or a server: relative, without `..` or empty segments.
    public static func checkRelative(_ path: String, in context: String) throws(ChannelError) {
        if path.isEmpty { return }
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard !path.hasPrefix("/"), !parts.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }),
            !path.contains("\\"), !path.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F })
        else {
            throw ChannelError("\(context): \(path) is not a plain relative path")
        }
    }

    public var description: String {
        switch self {
        case .version(let name, let version): return "models:/\(name)/\(version)"
        case .alias(let name, let alias): return "models:/\(name)@\(alias)"
        case .run(let id, let path): return "runs:/\(id)/\(path)"
        case .artifacts(let path): return "mlflow-artifacts:/\(path)"
        case .stage(let name, let stage): return "models:/\(name)/\(stage ?? "latest")"
        case .loggedModel(let id): return "models:/\(id)"
        }
    }
}

/// The tracking server of `MLFLOW_TRACKING_URI`, read over its REST API.
public struct MLflowRegistry: Sendable {
    /// The tracking server's URL, without a trailing slash (and without credentials).
    public let trackingURI: String
    let client: HTTPClient

    public init(trackingURI: String, client: HTTPClient) {
        var uri = trackingURI
        while uri.hasSuffix("/") { uri.removeLast() }
        self.trackingURI = uri
        self.client = client
    }

    /// The server of `MLFLOW_TRACKING_URI`, with the credentials of `MLFLOW_TRACKING_TOKEN` or
    /// `MLFLOW_TRACKING_USERNAME`/`MLFLOW_TRACKING_PASSWORD`, the CA of `SSL_CERT_FILE` (or
    /// `MLFLOW_TRACKING_SERVER_CERT_PATH`).
    public static func fromEnvironment(offline: Bool = false) throws(ChannelError) -> MLflowRegistry {
        let environment = ProcessInfo.processInfo.environment
        guard let given = environment["MLFLOW_TRACKING_URI"], !given.isEmpty else {
            throw ChannelError(
                "an MLflow model URI needs the tracking server: set MLFLOW_TRACKING_URI (http://host:port)")
        }
        guard let scheme = URLText.scheme(given), scheme == "http" || scheme == "https", let host = URLText.host(given)
        else {
            throw ChannelError(
                "MLFLOW_TRACKING_URI \(URLText.redacted(given)): model URIs are read from a tracking server over http(s); "
                    + "a local store (a path, file:// or a database URI) is not supported")
        }
        let cert = environment["MLFLOW_TRACKING_SERVER_CERT_PATH"].flatMap { $0.isEmpty ? nil : $0 }
        var settings = try HTTPSettings.fromEnvironment(cert: cert, sourceURLs: [], offline: offline)
        if let token = environment["MLFLOW_TRACKING_TOKEN"], !token.isEmpty {
            guard token.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
                throw ChannelError(
                    "MLFLOW_TRACKING_TOKEN holds a space or a control character; a bearer token is printable ASCII")
            }
            settings.tokens[host] = token
        } else if let user = environment["MLFLOW_TRACKING_USERNAME"], !user.isEmpty {
            let password = environment["MLFLOW_TRACKING_PASSWORD"] ?? ""
            settings.userinfo[host] = PercentEncoding.encoded(user) + ":" + PercentEncoding.encoded(password)
        } else if let credentials = URLText.credentials(given) {
            settings.userinfo[host] = credentials
        }
        return MLflowRegistry(trackingURI: URLText.withoutCredentials(given), client: HTTPClient(settings: settings))
    }

    /// The artifact URI a model URI names (`mlflow-artifacts:/...` or another store's URI).
    public func artifactURI(of uri: MLflowModelURI) throws(ChannelError) -> String {
        switch uri {
        case .version(let name, let version):
            return try downloadURI(name: name, version: version, for: uri)
        case .alias(let name, let alias):
            let answer = try api("/api/2.0/mlflow/registered-models/alias", ["name": name, "alias": alias], for: uri)
            guard case .object(let mv)? = answer["model_version"], case .string(let version)? = mv["version"] else {
                throw ChannelError("\(uri): the tracking server's answer names no model version")
            }
            return try downloadURI(name: name, version: version, for: uri)
        case .run(let id, let path):
            let answer = try api("/api/2.0/mlflow/runs/get", ["run_id": id], for: uri)
            guard case .object(let run)? = answer["run"], case .object(let info)? = run["info"],
                case .string(let root)? = info["artifact_uri"]
            else {
                throw ChannelError("\(uri): the tracking server's answer names no artifact URI for the run")
            }
            var base = root
            while base.hasSuffix("/") { base.removeLast() }
            return path.isEmpty ? base : base + "/" + path
        case .artifacts(let path):
            return "mlflow-artifacts:/" + path
        case .stage(let name, let stage):
            return try downloadURI(
                name: name, version: latestVersion(name: name, stage: stage, for: uri).version, for: uri)
        case .loggedModel(let id):
            return try loggedModel(id: id, for: uri).artifactURI
        }
    }

    func downloadURI(name: String, version: String, for uri: MLflowModelURI) throws(ChannelError) -> String {
        let answer = try api(
            "/api/2.0/mlflow/model-versions/get-download-uri", ["name": name, "version": version], for: uri)
        guard case .string(let artifact)? = answer["artifact_uri"], !artifact.isEmpty else {
            throw ChannelError("\(uri): the tracking server's answer names no artifact URI")
        }
        return artifact
    }

    /// The path under the artifact proxy of an artifact URI; other stores are refused.
    public func proxyPath(of artifactURI: String, for uri: MLflowModelURI) throws(ChannelError) -> String {
        guard artifactURI.hasPrefix("mlflow-artifacts:") else {
            let scheme = artifactURI.firstIndex(of: ":").map { String(artifactURI[..<$0]) } ?? artifactURI
            throw ChannelError(
                "\(uri): its artifacts are in a \(scheme): store (\(URLText.redacted(artifactURI))), which mlenv does not read; "
                    + "only artifacts served by the tracking server (mlflow-artifacts:/, `mlflow server --serve-artifacts`) are supported"
            )
        }
        guard case .artifacts(let path) = try MLflowModelURI(parsing: artifactURI) else { return "" }
        return path
    }

    /// The entries under `path` in the artifact proxy: base names, and whether each is a directory.
    public func list(_ path: String, for uri: MLflowModelURI) throws(ChannelError) -> [(
        name: String, isDirectory: Bool
    )] {
        try listWithSizes(path, for: uri).map { ($0.name, $0.isDirectory) }
    }

    /// One file of the artifact proxy; nil when the server has none.
    public func download(_ path: String, for uri: MLflowModelURI, maxBytes: UInt64 = HTTPClient.pageLimit)
        throws(ChannelError) -> [UInt8]?
    {
        try MLflowModelURI.checkRelative(path, in: "\(uri)")
        let encoded = path.split(separator: "/").map { PercentEncoding.encoded(String($0)) }.joined(separator: "/")
        let response = try get(
            trackingURI + "/api/2.0/mlflow-artifacts/artifacts/" + encoded, for: uri, maxBytes: maxBytes)
        switch response.status {
        case 200: return response.body
        case 404: return nil
        default: throw failure(response, for: uri)
        }
    }

    func api(_ endpoint: String, _ query: KeyValuePairs<String, String>, for uri: MLflowModelURI) throws(ChannelError)
        -> JSONObject
    {
        let text = query.map { PercentEncoding.encoded($0.key) + "=" + PercentEncoding.encoded($0.value) }.joined(
            separator: "&")
        let response = try get(trackingURI + endpoint + "?" + text, for: uri, maxBytes: HTTPClient.pageLimit)
        guard response.status == 200 else { throw failure(response, for: uri) }
        guard case .object(let object)? = try? JSONValue.parse(response.body) else {
            throw ChannelError("\(uri): the tracking server's answer to \(endpoint) is not a JSON object")
        }
        return object
    }

    func get(_ url: String, for uri: MLflowModelURI, maxBytes: UInt64) throws(ChannelError) -> HTTPResponse {
        do throws(HTTPError) {
            return try client.fetch(url, accept: "application/json", maxBytes: maxBytes)
        } catch {
            throw ChannelError(
                "\(uri): cannot reach the tracking server at \(URLText.redacted(trackingURI)): \(error.reason)")
        }
    }

    func failure(_ response: HTTPResponse, for uri: MLflowModelURI) -> ChannelError {
        if response.status == 401 || response.status == 403 {
            return ChannelError(
                "\(uri): HTTP \(response.status): the tracking server at \(URLText.redacted(trackingURI)) wants credentials "
                    + "(MLFLOW_TRACKING_TOKEN, or MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD) or refused the ones given"
            )
        }
        var detail = ""
        if case .object(let error)? = try? JSONValue.parse(response.body) {
            if case .string(let message)? = error["message"] {
                detail = ": " + String(message.prefix(500))
            } else if case .string(let code)? = error["error_code"] {
                detail = ": " + code
            }
        }
        let what = response.status == 404 ? "not found" : "HTTP \(response.status)"
        return ChannelError("\(uri): \(what) on the tracking server at \(URLText.redacted(trackingURI))\(detail)")
    }
}
