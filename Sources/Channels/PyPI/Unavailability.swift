// Why a PyPI file (or a conda build) cannot be used for a target, as data: the solver's
// explanations, `search`, lint hints and source builds match on the kind, and `description` is
// the one place the sentence is written ("built for cp312 / cp312, not CPython 3.11"). uv's
// `availability.rs` is the model: one variant per reason a file is left out, rendered in one
// place.

public enum Unavailability: Hashable, Sendable, CustomStringConvertible {
    /// The file name's version is not PEP 440.
    case invalidVersion(String)
    /// Uploaded at or after the `--exclude-newer` cutoff.
    case tooNew(uploaded: String, cutoff: String)
    /// Yanked (PEP 592), with the index's reason (may be empty).
    case yanked(reason: String)
    /// Its Requires-Python excludes the target's Python.
    case requiresPython(specifier: String, target: String)
    /// A musllinux wheel; the target uses glibc.
    case musl(platforms: [String])
    /// A Windows or macOS wheel.
    case otherSystem(platforms: [String])
    /// A Linux wheel for another architecture.
    case otherArchitecture(platforms: [String], architecture: String)
    /// A manylinux wheel that needs a newer glibc than the target has.
    case glibc(needed: String, platforms: [String], target: String)
    /// A wheel for another Python or ABI (`cp312 / cp312`).
    case otherPython(pythonTags: [String], abiTags: [String], target: String)
    /// Neither a wheel nor an sdist.
    case notAWheelOrSdist
    /// An sdist whose metadata could not be read.
    case sdistUnreadable(message: String)
    /// Conda builds in a lower channel: under strict channel priority a higher channel that
    /// has the name (`higherChannel`, when known) hides them.
    case hiddenByChannelPriority(name: String, higherChannel: String?)

    /// The kind as a stable JSON string.
    public var kind: String {
        switch self {
        case .invalidVersion: return "invalid_version"
        case .tooNew: return "too_new"
        case .yanked: return "yanked"
        case .requiresPython: return "requires_python"
        case .musl: return "musl"
        case .otherSystem: return "other_system"
        case .otherArchitecture: return "other_architecture"
        case .glibc: return "glibc"
        case .otherPython: return "other_python"
        case .notAWheelOrSdist: return "not_a_wheel_or_sdist"
        case .sdistUnreadable: return "sdist_unreadable"
        case .hiddenByChannelPriority: return "hidden_by_channel_priority"
        }
    }

    /// How the reason for an sdist whose dependencies could not be read starts.
    public static let sdistUnreadablePrefix = "its sdist's dependencies could not be read"

    public var description: String {
        switch self {
        case .invalidVersion(let text): return "its version '\(text)' is not a valid PEP 440 version"
        case .tooNew(let uploaded, let cutoff): return "uploaded \(uploaded), at or after --exclude-newer \(cutoff)"
        case .yanked(let reason): return "yanked" + (reason.isEmpty ? "" : ": \(reason)")
        case .requiresPython(let specifier, let target): return "requires Python \(specifier), the target is \(target)"
        case .musl(let platforms):
            return "built for musl libc (\(platforms.joined(separator: ", "))), the target uses glibc"
        case .otherSystem(let platforms): return "built for \(platforms.joined(separator: ", ")), not Linux"
        case .otherArchitecture(let platforms, let architecture):
            return "built for \(platforms.joined(separator: ", ")), not \(architecture)"
        case .glibc(let needed, let platforms, let target):
            return "needs glibc \(needed) (\(platforms.joined(separator: ", "))), the target has \(target)"
        case .otherPython(let pythonTags, let abiTags, let target):
            return
                "built for \(pythonTags.joined(separator: ".")) / \(abiTags.joined(separator: ".")), not CPython \(target)"
        case .notAWheelOrSdist: return "not a wheel or an sdist"
        case .sdistUnreadable(let message): return "\(Self.sdistUnreadablePrefix): \(message)"
        case .hiddenByChannelPriority(let name, let higher):
            return "hidden by strict channel priority: \(higher ?? "a higher-priority channel") has \(name)"
        }
    }

    /// The fields of the kind, for JSON (strings and lists of strings only).
    public var fields: [(key: String, value: [String])] {
        switch self {
        case .invalidVersion(let text): return [("version", [text])]
        case .tooNew(let uploaded, let cutoff): return [("uploaded", [uploaded]), ("exclude_newer", [cutoff])]
        case .yanked(let reason): return [("reason", [reason])]
        case .requiresPython(let specifier, let target):
            return [("requires_python", [specifier]), ("target_python", [target])]
        case .musl(let platforms), .otherSystem(let platforms): return [("platforms", platforms)]
        case .otherArchitecture(let platforms, let architecture):
            return [("platforms", platforms), ("target_architecture", [architecture])]
        case .glibc(let needed, let platforms, let target):
            return [("needs_glibc", [needed]), ("platforms", platforms), ("target_glibc", [target])]
        case .otherPython(let pythonTags, let abiTags, let target):
            return [("python_tags", pythonTags), ("abi_tags", abiTags), ("target_python", [target])]
        case .notAWheelOrSdist: return []
        case .sdistUnreadable(let message): return [("message", [message])]
        case .hiddenByChannelPriority(let name, let higher):
            return [("name", [name])] + (higher.map { [("higher_channel", [$0])] } ?? [])
        }
    }
}
