/// The Python the environment asks for must exist where the deployment gets it from. For a
/// conda environment that is the configured conda channels: `python=3.7.6` needs a python 3.7.6
/// build there, and old patch releases and retired minor versions are where image builds fail
/// first ("conda-forge no longer provides" Python 3.7; `ResolvePackageNotFound: python=3.5.2`).
/// For a virtualenv environment the Python comes from the deployment's base image, which mlenv
/// does not inspect: that case is reported as info, saying which image decides.

import Channels
import ModelFiles
import Requests
import Specs

struct UseAPythonTheChannelsProvide: EnvironmentLintRule {
    let rule = RuleDescription(
        id: "MLE011", name: "UseAPythonTheChannelsProvide", severity: .error, category: .python,
        summary: "the Python version is not available in the configured channels")

    func check(_ environment: DeclaredEnvironment, of subject: LintSubject, into sink: inout FindingSink) {
        switch subject.mode {
        case .conda:
            guard let dependency = environment.conda?.dependencies.first(where: { $0.spec.name == "python" }),
                let channels = subject.channels
            else { return }
            let records = channels.condaRecords(named: "python")
            guard !records.isEmpty else { return }  // no python at all: MLE040 reports the channel problem
            let matching = records.contains {
                dependency.spec.matches(
                    name: $0.name, version: $0.version, build: $0.build, buildNumber: $0.buildNumber)
            }
            guard !matching else { return }
            let names = channels.condaChannels.map(\.name).joined(separator: ", ")
            let versions = Self.versions(records)
            let wanted = PythonVersion(ModelLoader.pythonVersionTextForLint(dependency.text))
            let sameMinor = versions.filter { v in
                wanted.map { PythonVersion(v)?.minorString == $0.minorString } ?? false
            }
            var notes: [FindingNote] = []
            if !sameMinor.isEmpty {
                notes.append(
                    sink.note(
                        "the channels have \(wanted?.minorString ?? "") as \(sameMinor.joined(separator: ", ")); pin one of those (python=\(sameMinor.last!)) or pin only the minor version (python=\(wanted?.minorString ?? ""))"
                    ))
            } else {
                notes.append(
                    sink.note(
                        "the channels' Pythons: \(Self.minors(versions).joined(separator: ", ")); the model needs a newer Python or a channel that still has this one"
                    ))
            }
            // Missing from a partial copy of the channel is not missing from the channel.
            if let partial = subject.facts.condaPartiality {
                notes.append(sink.note(partial))
                sink.report(
                    Message.notInCopy(
                        dependency.text, channels: names, minorMissing: sameMinor.isEmpty, minor: wanted?.minorString),
                    at: dependency.location, severity: .warning, notes: notes)
                return
            }
            sink.report(
                Message.missing(
                    dependency.text, channels: names, minorMissing: sameMinor.isEmpty, minor: wanted?.minorString),
                at: dependency.location, notes: notes)
        case .virtualenv:
            guard let python = environment.virtualenv?.python, let profile = subject.profile else { return }
            let minor = PythonVersion(python.value)?.minorString ?? python.value
            sink.report(
                Message.baseImage(python.value, image: profile.image(mode: "virtualenv", python: minor)),
                at: python.location, severity: .info)
        }
    }

    static func versions(_ records: [CondaRecord]) -> [String] {
        var seen = Set<String>()
        return records.sorted { $0.version < $1.version }.map(\.versionText).filter { seen.insert($0).inserted }
    }

    static func minors(_ versions: [String]) -> [String] {
        var seen = Set<String>()
        return versions.compactMap { PythonVersion($0)?.minorString }.filter { seen.insert($0).inserted }
    }
}

extension ModelLoader {
    /// `python=3.10.6` → `3.10.6` (the version part of a conda python spec).
    static func pythonVersionTextForLint(_ spec: String) -> String {
        CondaPin.exactVersion(spec) ?? ""
    }
}

private enum Message {
    static func missing(_ spec: String, channels: String, minorMissing: Bool, minor: String?) -> String {
        if minorMissing, let minor {
            return
                "'\(spec)' cannot be installed: the configured conda channels (\(channels)) have no Python \(minor) at all, so the image build fails"
        }
        return
            "'\(spec)' cannot be installed: the configured conda channels (\(channels)) have no build of that Python release, so the image build fails"
    }
    static func notInCopy(_ spec: String, channels: String, minorMissing: Bool, minor: String?) -> String {
        let what = minorMissing && minor != nil ? "no Python \(minor!) at all" : "no build of that Python release"
        return
            "'\(spec)' is not in the conda channels searched: the copy of \(channels) used here has \(what); check the real channel before deploying (the image build fails if it has none either)"
    }
    static func baseImage(_ version: String, image: String) -> String {
        "python_env.yaml asks for Python \(version); in this virtualenv deployment the interpreter comes from the base image \(image), whose patch release mlenv does not check"
    }
}
