// Where a bundled model came from when it was not a directory: the model URI as given and what
// the tracking server resolved it to. MANIFEST.json records it under "source" (bundles of
// directory models have no such field, so their manifests are unchanged).

import JSON

public struct BundleModelSource: Hashable, Sendable {
    /// The model URI as the user gave it (`models:/iris@champion`); never credentials, which
    /// model URIs do not hold.
    public var uri: String
    /// The artifact location the server resolved it to (`mlflow-artifacts:/...`).
    public var artifactURI: String
    public var registeredModel: String?
    public var version: String?
    public var runID: String?
    public var modelID: String?

    public init(
        uri: String, artifactURI: String, registeredModel: String? = nil, version: String? = nil, runID: String? = nil,
        modelID: String? = nil
    ) {
        self.uri = uri
        self.artifactURI = artifactURI
        self.registeredModel = registeredModel
        self.version = version
        self.runID = runID
        self.modelID = modelID
    }

    /// The manifest's "source" object: the fields the server gave, in a fixed order.
    var manifestValue: JSONValue {
        var o = JSONObject()
        o.append("uri", .string(uri))
        o.append("artifact_uri", .string(artifactURI))
        if let registeredModel { o.append("registered_model", .string(registeredModel)) }
        if let version { o.append("version", .string(version)) }
        if let runID { o.append("run_id", .string(runID)) }
        if let modelID { o.append("model_id", .string(modelID)) }
        return .object(o)
    }
}
