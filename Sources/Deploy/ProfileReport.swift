// `mlenv profiles` output.

import JSON

public enum ProfileReport {
    public static func packageText(_ package: Profile.Package) -> (String, String) {
        switch package {
        case .pypi(let text, let reason): return ("pypi  " + text, reason)
        case .conda(let text, let reason): return ("conda " + text, reason)
        case .mlflow(let full, let reason):
            return (
                "pypi  " + (full ? "mlflow" : "mlflow-skinny")
                    + " (at the model's mlflow_version major.minor, unless the model requires MLflow)", reason
            )
        }
    }

    public static func text(_ profile: Profile) -> String {
        var out = "\(profile.name): \(profile.description)\n"
        if profile.packages.isEmpty { out += "  adds nothing\n" }
        for package in profile.packages {
            let (what, why) = packageText(package)
            out += "  + \(what)\(why.isEmpty ? "" : "  — \(why)")\n"
        }
        out += "  environment: \(profile.preferredMode) when the model has both conda.yaml and python_env.yaml\n"
        out += "  image: \(profile.condaImage) (conda), \(profile.virtualenvImage) (virtualenv)\n"
        if let port = profile.port { out += "  port: \(port)\n" }
        if !profile.entrypoint.isEmpty { out += "  entrypoint: \(profile.entrypoint.joined(separator: " "))\n" }
        return out
    }

    public static func json(_ profile: Profile) -> JSONValue {
        [
            "name": .string(profile.name),
            "description": .string(profile.description),
            "packages": .array(
                profile.packages.map { p in
                    let (what, why) = packageText(p)
                    return ["package": .string(what), "reason": .string(why)]
                }),
            "environment": .string(profile.preferredMode),
            "image": [
                "conda": .string(profile.condaImage), "virtualenv": .string(profile.virtualenvImage),
                "glibc": .string(profile.glibc)
            ],
            "port": profile.port.map { .int($0) } ?? .null,
            "entrypoint": .array(profile.entrypoint.map { .string($0) }),
            "env": .object(
                JSONObject(profile.environmentVariables.map { JSONObject.Entry(key: $0.0, value: .string($0.1)) }))
        ]
    }
}
