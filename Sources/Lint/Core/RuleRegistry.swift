// Every rule, in id order (the order they run in and are documented in docs/lint-rules.md).
// The known-breaker rules come from the data file; the rest are Swift types under Rules/.

import Deploy

public enum RuleRegistry {
    public static let defaultDeployment = "azureml-online"

    static func rules(breakers: BreakerCatalog) -> [any LintRule] {
        let swiftRules: [any LintRule] = [
            ProvideAReadableMLmodel(),
            ProvideEveryReferencedFile(),
            AgreeOnVersionsAcrossEnvironmentFiles(),
            RequireEachPackageOnce(),
            InstallEachPackageWithOneInstaller(),
            WriteValidEnvironmentFiles(),
            KeepTheModelSelfContained(),
            AgreeOnPythonVersion(),
            UseAPythonTheChannelsProvide(),
            AvoidEndOfLifePython(),
            MatchMLflowToTheSavedVersion(),
            PinMLflowAndSkinnyTogether(),
            InstallTheFlavorLibrary(),
            PinRequirementsExactly(),
            AvoidDirectReferences(),
            InstallFromConfiguredIndexesOnly(),
            PreferPackagesWithWheels(),
            AvoidYankedReleases(),
            ResolveForTheDeployment(),
            KeepProfilePackagesCompatible(),
            ProvideASignature(),
            MatchTheInputExampleToTheSignature()
        ]
        let dataRules: [any LintRule] = breakers.rules.map { AvoidKnownDeploymentBreakers(breaker: $0) }
        return (swiftRules + dataRules).sorted { $0.rule.id < $1.rule.id }
    }

    /// Every rule's description, for `--list-rules`, configuration checks and SARIF.
    public static func descriptions(breakers: BreakerCatalog) -> [RuleDescription] {
        rules(breakers: breakers).map(\.rule)
    }
}
