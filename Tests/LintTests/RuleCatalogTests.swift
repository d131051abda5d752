// The rule table itself: ids are unique and ordered, names are instructions, every rule is
// documented in docs/lint-rules.md, and every known breaker carries its public sources.

import Deploy
import Foundation
import Lint
import Testing

@Suite struct RuleCatalogTests {
    @Test func idsAreUniqueAndNamesAreInstructions() throws {
        let rules = RuleRegistry.descriptions(breakers: try BreakerCatalog.builtIn())
        #expect(Set(rules.map(\.id)).count == rules.count)
        #expect(Set(rules.map(\.name)).count == rules.count)
        for rule in rules {
            #expect(rule.id.range(of: "^MLE[0-9]{3}$", options: .regularExpression) != nil, "\(rule.id)")
            #expect(rule.name.first?.isUppercase == true && !rule.name.contains(" "), "\(rule.name)")
            #expect(!rule.summary.isEmpty)
        }
        #expect(rules.count >= 28)
    }

    @Test func everyRuleIsDocumented() throws {
        let docs = try String(contentsOfFile: Repo.path("docs/lint-rules.md"), encoding: .utf8)
        for rule in RuleRegistry.descriptions(breakers: try BreakerCatalog.builtIn()) {
            #expect(
                docs.contains("## \(rule.id) \(rule.name)"),
                "docs/lint-rules.md has no section for \(rule.id) \(rule.name)")
        }
    }

    @Test func everyBreakerCitesItsSources() throws {
        let catalog = try BreakerCatalog.builtIn()
        #expect(catalog.rules.map(\.header.id) == ["MLE050", "MLE051", "MLE052", "MLE053", "MLE054", "MLE062"])
        for rule in catalog.rules {
            for c in rule.cases {
                #expect(!c.sources.isEmpty && !c.breaks.isEmpty && !c.fix.isEmpty, "\(rule.header.id)")
            }
        }
    }

    @Test func breakerDataErrorsNameTheLine() {
        let text = "rules:\n  - id: MLE099\n    name: X\n    severity: loud\n    summary: s\n    cases: []\n"
        #expect {
            _ = try BreakerCatalog.parse(Array(text.utf8), file: "b.yaml")
        } throws: { error in
            (error as? BreakerDataError)?.mark?.line == 4
        }
    }
}
