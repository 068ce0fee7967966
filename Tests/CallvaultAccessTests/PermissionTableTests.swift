import Testing
@testable import CallvaultAccess

/// R9: the role × action matrix, enumerated in full so any change to it is a deliberate test edit.
@Suite struct PermissionTableTests {
    static let expected: [Role: Set<Action>] = [
        .admin: [.manageUsers, .verifyAudit, .viewIngestStatus, .readMetrics, .runExpiry,
                 .ingestFiles, .importCustomers, .manageRetention, .verifyArchive, .repairArchive],
        .compliance: [.search, .viewItem, .playRecording, .viewCustomer, .viewRestricted, .listHolds, .placeHold,
                      .releaseHold, .erase, .restrict, .export, .manageRequests, .runExpiry, .readAudit,
                      .verifyAudit, .viewIngestStatus, .importCustomers, .rectify, .manageRetention],
        .lead: [.search, .viewItem, .playRecording, .viewCustomer],
        .auditor: [.readAudit, .verifyAudit],
        .ingest: [.ingest, .ingestFiles],
    ]

    @Test(arguments: Role.allCases)
    func everyActionOfARoleMatchesTheMatrix(role: Role) {
        for action in Action.allCases {
            #expect(PermissionTable.allows(role, action) == Self.expected[role]!.contains(action),
                    "\(role.rawValue) × \(action.rawValue)")
        }
    }

    @Test func theJobsServiceIdentitiesMayTakeOnlyTheirJobsAction() {
        #expect(ServiceIdentity.spool.grants == [.ingest])
        #expect(ServiceIdentity.expiry.grants == [.runExpiry])
        #expect(ServiceIdentity.upgrade.grants.isEmpty)
    }

    @Test func onlyComplianceSeesRestrictedData() {
        #expect(PermissionTable.roles(allowedTo: .viewRestricted) == [.compliance])
    }

    @Test func adminSeesNoPersonalData() {
        for action in [Action.search, .viewItem, .playRecording, .viewCustomer, .export, .readAudit] {
            #expect(!PermissionTable.allows(.admin, action))
        }
    }

    @Test func deniedErrorNamesTheRolesThatMay() throws {
        #expect(AccessError.denied(role: .lead, action: .placeHold).description
                == "the lead role may not place-hold (allowed: compliance)")
        #expect(throws: AccessError.unknownRole("boss")) { try Role(parsing: "boss") }
        #expect(try Role(parsing: "Lead") == .lead)
    }
}
