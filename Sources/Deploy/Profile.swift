// A deployment profile: what the inference server of one deployment type needs, and how the
// image is laid out. Data shipped as YAML files (Profiles/, compiled into the binary by
// SwiftPM's `.embedInCode`), overridable with `--profile-file`; loading errors carry the file's
// line and column.

import FoundationEssentials
import Specs
import YAML

public struct Profile: Hashable, Sendable {
    public enum Package: Hashable, Sendable {
        /// A PyPI requirement added as written.
        case pypi(String, reason: String)
        /// A conda spec added to conda environments.
        case conda(String, reason: String)
        /// MLflow itself: `skinny` (mlflow-skinny) or `full` (mlflow), only when the model does
        /// not already require mlflow or mlflow-skinny, at the model's mlflow_version major.minor.
        case mlflow(full: Bool, reason: String)
    }

    public let name: String
    public let description: String
    public let packages: [Package]
    /// `conda` or `virtualenv`: which of the model's environments the deployment builds when it
    /// has both.
    public let preferredMode: String
    public let requiresFlavor: String?
    public let condaImage: String
    /// May contain `{python}` (the target's major.minor).
    public let virtualenvImage: String
    public let glibc: String
    public let pythonImageGlibc: String
    public let envPrefix: String
    public let appRoot: String
    public let modelDirectory: String
    public let modelFolder: String
    public let user: String
    public let port: Int?
    public let serverPort: Int?
    public let entrypoint: [String]
    public let environmentVariables: [(String, String)]
    /// Where the profile came from (a resource name or a path).
    public let source: String

    public static func == (a: Profile, b: Profile) -> Bool { a.name == b.name && a.source == b.source }
    public func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        hasher.combine(source)
    }

    public func image(mode: String, python: String) -> String {
        (mode == "conda" ? condaImage : virtualenvImage).replacingLiteral("{python}", with: python)
    }
}

public struct ProfileError: Error, Hashable, Sendable, CustomStringConvertible {
    public let file: String
    public let mark: Mark?
    public let message: String
    public var description: String {
        "\(file)" + (mark.map { ":\($0.line):\($0.column)" } ?? "") + ": \(message)"
    }
}

public enum Profiles {
    public static let builtInNames = ["azureml-online", "azureml-batch", "kubernetes-online", "mlflow-serve", "none"]

    /// The bytes of Profiles/<name>.yaml, compiled in by SwiftPM (`.embedInCode`).
    static func embedded(_ name: String) -> [UInt8]? {
        switch name {
        case "azureml-online": PackageResources.azureml_online_yaml
        case "azureml-batch": PackageResources.azureml_batch_yaml
        case "kubernetes-online": PackageResources.kubernetes_online_yaml
        case "mlflow-serve": PackageResources.mlflow_serve_yaml
        case "none": PackageResources.none_yaml
        default: nil
        }
    }

    /// A built-in profile by name.
    public static func builtIn(_ name: String) throws(ProfileError) -> Profile {
        guard builtInNames.contains(name), let bytes = embedded(name) else {
            throw ProfileError(
                file: name, mark: nil,
                message:
                    "no deployment profile named '\(name)'; the profiles are \(builtInNames.joined(separator: ", ")) (or give --profile-file)"
            )
        }
        return try parse(bytes, source: "\(name).yaml")
    }

    public static func all() throws(ProfileError) -> [Profile] {
        var result: [Profile] = []
        for name in builtInNames { result.append(try builtIn(name)) }
        return result
    }

    public static func load(path: String) throws(ProfileError) -> Profile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ProfileError(file: path, mark: nil, message: "cannot read the profile file")
        }
        return try parse([UInt8](data), source: path)
    }

    public static func parse(_ bytes: [UInt8], source: String) throws(ProfileError) -> Profile {
        let root: YAMLNode?
        do { root = try YAMLLoader.load(bytes) } catch {
            throw ProfileError(file: source, mark: error.mark, message: "invalid YAML: \(error.message)")
        }
        guard let root, root.isMapping else {
            throw ProfileError(file: source, mark: root?.mark, message: "a profile is a YAML mapping")
        }
        func string(_ node: YAMLNode?, _ field: String, required: Bool = true) throws(ProfileError) -> String {
            guard let node, let text = node.scalarText, !node.isNull else {
                if required {
                    throw ProfileError(file: source, mark: node?.mark ?? root.mark, message: "missing \(field)")
                }
                return ""
            }
            return text
        }
        var packages: [Profile.Package] = []
        for item in root["packages"]?.sequence ?? [] {
            let reason = item["reason"]?.scalarText ?? ""
            if let pypi = item["pypi"]?.scalarText {
                packages.append(.pypi(pypi, reason: reason))
            } else if let conda = item["conda"]?.scalarText {
                packages.append(.conda(conda, reason: reason))
            } else if let mlflow = item["mlflow"]?.scalarText {
                guard mlflow == "skinny" || mlflow == "full" else {
                    throw ProfileError(
                        file: source, mark: item["mlflow"]?.mark,
                        message: "mlflow: expected skinny or full, found '\(mlflow)'")
                }
                packages.append(.mlflow(full: mlflow == "full", reason: reason))
            } else {
                throw ProfileError(
                    file: source, mark: item.mark, message: "a package entry needs one of pypi:, conda: or mlflow:")
            }
        }
        let image = root["image"]
        let layout = root["layout"]
        let serving = root["serving"]
        let prefer = try string(root["environment"]?["prefer"], "environment.prefer", required: false)
        guard prefer.isEmpty || prefer == "conda" || prefer == "virtualenv" else {
            throw ProfileError(
                file: source, mark: root["environment"]?["prefer"]?.mark,
                message: "environment.prefer: expected conda or virtualenv")
        }
        var variables: [(String, String)] = []
        for pair in serving?["env"]?.pairs ?? [] {
            if let key = pair.key.scalarText { variables.append((key, pair.value.scalarText ?? "")) }
        }
        func port(_ node: YAMLNode?) throws(ProfileError) -> Int? {
            guard let node, !node.isNull else { return nil }
            guard let text = node.scalarText, let value = Int(text), value > 0, value < 65536 else {
                throw ProfileError(file: source, mark: node.mark, message: "expected a port number")
            }
            return value
        }
        return Profile(
            name: try string(root["name"], "name"),
            description: try string(root["description"], "description", required: false),
            packages: packages,
            preferredMode: prefer.isEmpty ? "conda" : prefer,
            requiresFlavor: root["requires_flavor"]?.scalarText,
            condaImage: try string(image?["conda"], "image.conda"),
            virtualenvImage: try string(image?["virtualenv"], "image.virtualenv"),
            glibc: try string(image?["glibc"], "image.glibc"),
            pythonImageGlibc: try string(image?["python_glibc"], "image.python_glibc", required: false),
            envPrefix: try string(layout?["env_prefix"], "layout.env_prefix"),
            appRoot: try string(layout?["app_root"], "layout.app_root"),
            modelDirectory: try string(layout?["model_dir"], "layout.model_dir"),
            modelFolder: try string(layout?["model_folder"], "layout.model_folder", required: false),
            user: try string(layout?["user"], "layout.user"),
            port: try port(serving?["port"]),
            serverPort: try port(serving?["server_port"]),
            entrypoint: serving?["entrypoint"]?.sequence?.compactMap(\.scalarText) ?? [],
            environmentVariables: variables,
            source: source)
    }
}
