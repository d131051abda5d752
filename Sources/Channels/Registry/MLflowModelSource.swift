// What a model URI resolves to on the tracking server, for records such as a bundle's
// MANIFEST.json: the artifact URI, and the registered model name and version, the run and the
// logged model where the server says them. MLflow 3's forms are resolved here too:
// - `models:/NAME/STAGE`, `models:/NAME/latest`:
//   GET /api/2.0/mlflow/registered-models/get-latest-versions?name=&stages= → `model_versions`,
//   the highest version wins (as MLflow's `_get_latest_model_version`); stage names are
//   MLflow's (None, Staging, Production, Archived), any case;
// - `models:/ID`: GET /api/2.0/mlflow/logged-models/ID → `model.info.artifact_uri`;
// - a registered version's run and logged model:
//   GET /api/2.0/mlflow/model-versions/get?name=&version= → `model_version.run_id`, `model_id`.

import Basics
import FoundationEssentials
import JSON

/// A model URI resolved on the tracking server.
public struct MLflowModelSource: Hashable, Sendable {
    /// The URI (as given, when the caller sets it).
    public var uri: String
    /// Where its files are (`mlflow-artifacts:/...`).
    public let artifactURI: String
    public var registeredModel: String?
    public var version: String?
    public var runID: String?
    public var modelID: String?
    /// A name for the model's folder: the registered or logged model's name, else the last
    /// path segment of the artifact location.
    public var name: String
}

/// A registered model version as the server reports it.
public struct MLflowModelVersion: Hashable, Sendable {
    public let name: String
    public let version: String
    public let runID: String?
    public let modelID: String?
}

/// A logged model (MLflow 3) as the server reports it.
public struct MLflowLoggedModel: Hashable, Sendable {
    public let id: String
    public let name: String?
    public let artifactURI: String
    public let runID: String?
}

extension MLflowModelURI {
    /// MLflow's model stages, in its spelling.
    public static let stages = ["None", "Staging", "Production", "Archived"]

    /// A `models:/NAME/SUFFIX` suffix that is not a number: `latest` (nil) or a stage.
    static func stageName(_ suffix: String, in text: String) throws(ChannelError) -> String? {
        if suffix.lowercased() == "latest" { return nil }
        guard let stage = stages.first(where: { $0.lowercased() == suffix.lowercased() }) else {
            throw ChannelError(
                "\(text): '\(suffix.prefix(100))' is neither a version number, latest, nor a model stage (\(stages.joined(separator: ", ")))"
            )
        }
        return stage
    }
}

extension MLflowRegistry {
    /// The newest version of a registered model in a stage (or of all, for nil).
    public func latestVersion(name: String, stage: String?, for uri: MLflowModelURI) throws(ChannelError)
        -> MLflowModelVersion
    {
        var query: KeyValuePairs<String, String> = ["name": name]
        if let stage { query = ["name": name, "stages": stage] }
        let answer = try api("/api/2.0/mlflow/registered-models/get-latest-versions", query, for: uri)
        var versions: [MLflowModelVersion] = []
        if case .array(let list)? = answer["model_versions"] {
            for case .object(let object) in list {
                if let version = Self.modelVersion(object) { versions.append(version) }
            }
        }
        guard let newest = versions.max(by: { (UInt64($0.version) ?? 0) < (UInt64($1.version) ?? 0) }) else {
            throw ChannelError(
                "\(uri): \(name) has no version" + (stage.map { " in stage \($0)" } ?? "")
                    + " on the tracking server at \(URLText.redacted(trackingURI))")
        }
        return newest
    }

    /// A registered model version (its run and logged model).
    public func modelVersion(name: String, version: String, for uri: MLflowModelURI) throws(ChannelError)
        -> MLflowModelVersion
    {
        try versionAnswer("/api/2.0/mlflow/model-versions/get", ["name": name, "version": version], for: uri)
    }

    /// The version an alias points at.
    public func aliasVersion(name: String, alias: String, for uri: MLflowModelURI) throws(ChannelError)
        -> MLflowModelVersion
    {
        try versionAnswer("/api/2.0/mlflow/registered-models/alias", ["name": name, "alias": alias], for: uri)
    }

    /// The `model_version` of an answer from `path` (model-versions/get, registered-models/alias).
    private func versionAnswer(_ path: String, _ parameters: KeyValuePairs<String, String>, for uri: MLflowModelURI)
        throws(ChannelError) -> MLflowModelVersion
    {
        let answer = try api(path, parameters, for: uri)
        guard case .object(let object)? = answer["model_version"], let found = Self.modelVersion(object) else {
            throw ChannelError("\(uri): the tracking server's answer names no model version")
        }
        return found
    }

    /// A logged model (MLflow 3).
    public func loggedModel(id: String, for uri: MLflowModelURI) throws(ChannelError) -> MLflowLoggedModel {
        let response = try get(
            trackingURI + "/api/2.0/mlflow/logged-models/" + PercentEncoding.encoded(id), for: uri,
            maxBytes: HTTPClient.pageLimit)
        if response.status == 404 {
            throw ChannelError(
                "\(uri): no logged model with ID \(id) on the tracking server at \(URLText.redacted(trackingURI)) "
                    + "(a registered model is named models:/NAME/VERSION, models:/NAME/latest or models:/NAME@ALIAS)")
        }
        guard response.status == 200 else { throw failure(response, for: uri) }
        guard case .object(let answer)? = try? JSONValue.parse(response.body),
            case .object(let model)? = answer["model"],
            case .object(let info)? = model["info"], case .string(let artifact)? = info["artifact_uri"],
            !artifact.isEmpty
        else {
            throw ChannelError("\(uri): the tracking server's answer names no artifact URI for the logged model")
        }
        var name: String?
        var run: String?
        if case .string(let text)? = info["name"], !text.isEmpty { name = text }
        if case .string(let text)? = info["source_run_id"], !text.isEmpty { run = text }
        return MLflowLoggedModel(id: id, name: name, artifactURI: artifact, runID: run)
    }

    /// Everything the server says about a model URI.
    public func source(of uri: MLflowModelURI) throws(ChannelError) -> MLflowModelSource {
        func lastSegment(_ path: String) -> String {
            path.split(separator: "/").last.map(String.init) ?? "model"
        }
        switch uri {
        case .version(let name, let version):
            let found = try modelVersion(name: name, version: version, for: uri)
            return try registered(found, for: uri)
        case .alias(let name, let alias):
            return try registered(aliasVersion(name: name, alias: alias, for: uri), for: uri)
        case .stage(let name, let stage):
            return try registered(latestVersion(name: name, stage: stage, for: uri), for: uri)
        case .loggedModel(let id):
            let model = try loggedModel(id: id, for: uri)
            return MLflowModelSource(
                uri: uri.description, artifactURI: model.artifactURI, registeredModel: nil, version: nil,
                runID: model.runID, modelID: id, name: model.name ?? id)
        case .run(let id, let path):
            let artifact = try artifactURI(of: uri)
            return MLflowModelSource(
                uri: uri.description, artifactURI: artifact, runID: id, name: path.isEmpty ? id : lastSegment(path))
        case .artifacts(let path):
            return MLflowModelSource(
                uri: uri.description, artifactURI: "mlflow-artifacts:/" + path, name: lastSegment(path))
        }
    }

    private func registered(_ version: MLflowModelVersion, for uri: MLflowModelURI) throws(ChannelError)
        -> MLflowModelSource
    {
        let artifact = try downloadURI(name: version.name, version: version.version, for: uri)
        return MLflowModelSource(
            uri: uri.description, artifactURI: artifact, registeredModel: version.name, version: version.version,
            runID: version.runID, modelID: version.modelID, name: version.name)
    }

    static func modelVersion(_ object: JSONObject) -> MLflowModelVersion? {
        guard case .string(let name)? = object["name"], case .string(let version)? = object["version"],
            !version.isEmpty,
            version.allSatisfy({ $0.isASCII && $0.isNumber })
        else { return nil }
        var run: String?
        var model: String?
        if case .string(let text)? = object["run_id"], !text.isEmpty { run = text }
        if case .string(let text)? = object["model_id"], !text.isEmpty { model = text }
        return MLflowModelVersion(name: name, version: version, runID: run, modelID: model)
    }
}
