package io.vfplane.encap.rules;

/**
 * The current rule set, replaced atomically while traffic runs. The control side builds a whole new {@link RuleSet}
 * and {@link #apply}s it with one volatile write; the data path reads {@link #current()} once per batch and uses that
 * set for the whole batch, so no packet sees half a table and readers take no lock.
 */
public final class RuleTables
{
    private volatile RuleSet current;
    private volatile long generation;

    public RuleTables(final RuleSet initial)
    {
        this.current = initial;
    }

    /** The rule set to use for one batch. */
    public RuleSet current()
    {
        return current;
    }

    /** Publishes a new rule set (control side). */
    public synchronized void apply(final RuleSet next)
    {
        current = next;
        generation = generation + 1;
    }

    /** How many rule sets were applied after the initial one. */
    public long generation()
    {
        return generation;
    }
}
