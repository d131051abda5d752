/// The environment files must parse the way conda and pip read them: valid YAML of the
/// expected shape, valid conda MatchSpecs and PEP 508 requirements, options pip accepts, no
/// include loops. Each problem the loader finds is reported where it was found, with the
/// loader's own severity (errors stop a build; warnings and notes are oddities that load, such
/// as an unquoted `python: 3.10` that PyYAML reads as the number 3.1).

import ModelFiles

struct WriteValidEnvironmentFiles: LoaderDiagnosticsRule {
    let rule = RuleDescription(
        id: "MLE006", name: "WriteValidEnvironmentFiles", severity: .error, category: .environmentFiles,
        summary: "an environment file does not parse the way conda or pip reads it")
}
