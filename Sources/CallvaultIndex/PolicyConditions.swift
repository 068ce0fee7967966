/// SQL conditions on an item row aliased `i`: what protects an item from deletion and what
/// hides it. Shared by search, expiry and erasure so they agree on one definition.
enum PolicyConditions {
    /// Hold `h` (active, with its time range) matches item `i` by its scope now: a hold with no
    /// scopes matches every item in its range; otherwise any scope matches: the item itself or
    /// the call it records, a number it was from or to, or a customer it links to. Used only to
    /// find what a hold starts to cover when it is placed; what it covers afterwards is
    /// `hold_items`, kept by the v13 triggers.
    static let holdMatches = """
        h.released_at IS NULL
        AND (h.from_utc IS NULL OR i.start_utc >= h.from_utc) AND (h.to_utc IS NULL OR i.start_utc < h.to_utc)
        AND (NOT EXISTS (SELECT 1 FROM hold_scopes s WHERE s.hold_id = h.id)
             OR EXISTS (SELECT 1 FROM hold_scopes s WHERE s.hold_id = h.id AND (
                   (s.kind = 'item' AND (s.value = CAST(i.id AS TEXT)
                       OR s.value = (SELECT CAST(r.call_item_id AS TEXT) FROM recordings r WHERE r.item_id = i.id)))
                OR (s.kind = 'number' AND (s.value = i.from_e164 OR s.value = i.to_e164))
                OR (s.kind = 'customer' AND s.value IN (SELECT ic.customer_id FROM item_customers ic WHERE ic.item_id = i.id)))))
        """

    /// Item `i` is covered by an active legal hold: the one definition every deletion path
    /// asks (Invariant 4). Coverage belongs to the item (`hold_items`) from the moment a hold
    /// first matched it until that hold's release.
    static let held = "EXISTS (SELECT 1 FROM hold_items hi WHERE hi.item_id = i.id)"

    /// Item `i` links to a customer whose processing is restricted.
    static let restricted = """
        EXISTS (SELECT 1 FROM item_customers ic JOIN restrictions rs ON rs.customer_id = ic.customer_id AND rs.lifted_at IS NULL
                WHERE ic.item_id = i.id)
        """

    /// Item `i` links to a customer with an access or portability request that is open, or
    /// answered less than its freeze period ago (bind the current time as `:now`).
    static let frozen = """
        EXISTS (SELECT 1 FROM item_customers ic JOIN requests q ON q.customer_id = ic.customer_id
                WHERE ic.item_id = i.id AND q.type IN ('access', 'portability')
                  AND (q.closed_at IS NULL OR coalesce(q.freeze_until, 0) > :now))
        """
}
