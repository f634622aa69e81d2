using ConsentPlatform.Consent.Gate;

namespace ConsentPlatform.Consent.Tests;

/// <summary>
/// The compact gate index against a plain dictionary model: random sequences of every write the
/// service makes (many seeds, a small key pool so slots collide and contacts move between the
/// compact table and the overflow), then every key compared. And readers racing a writer.
/// </summary>
public sealed class GateIndexTests
{
    private sealed class Model
    {
        private readonly Dictionary<ContactKey, (List<SuppressionFact> Suppressions, List<ConsentFact> Consents)> _facts = [];

        private (List<SuppressionFact> Suppressions, List<ConsentFact> Consents) Of(ContactKey key) =>
            _facts.TryGetValue(key, out var facts) ? facts : _facts[key] = ([], []);

        public void AddSuppression(ContactKey key, SuppressionFact s)
        {
            var facts = Of(key);
            if (!facts.Suppressions.Exists(x => x.Id == s.Id)) facts.Suppressions.Add(s);
        }

        public void Lift(ContactKey key, Guid id)
        {
            if (_facts.TryGetValue(key, out var facts)) facts.Suppressions.RemoveAll(s => s.Id == id);
        }

        public void AddConsent(ContactKey key, ConsentFact c)
        {
            var facts = Of(key);
            if (!facts.Consents.Exists(x => x.Id == c.Id)) facts.Consents.Add(c);
        }

        public void Withdraw(ContactKey key, Guid id, long at)
        {
            if (!_facts.TryGetValue(key, out var facts)) return;
            for (var i = 0; i < facts.Consents.Count; i++)
                if (facts.Consents[i].Id == id && facts.Consents[i].WithdrawnAt is null) facts.Consents[i] = facts.Consents[i] with { WithdrawnAt = at };
        }

        public void RemoveConsents(ContactKey key)
        {
            if (_facts.TryGetValue(key, out var facts)) facts.Consents.Clear();
        }

        public (SuppressionFact[], ConsentFact[]) Expected(ContactKey key) =>
            _facts.TryGetValue(key, out var facts) ? ([.. facts.Suppressions], [.. facts.Consents]) : ([], []);

        public IEnumerable<Guid> SuppressionIds(ContactKey key) => _facts.TryGetValue(key, out var f) ? f.Suppressions.Select(s => s.Id) : [];

        public IEnumerable<Guid> ConsentIds(ContactKey key) => _facts.TryGetValue(key, out var f) ? f.Consents.Select(c => c.Id) : [];
    }

    private static void AssertSame(Model model, GateIndex index, ContactKey key, string context)
    {
        var (suppressions, consents) = model.Expected(key);
        var found = index.Find(key);
        Assert.True(suppressions.SequenceEqual(found?.Suppressions ?? []),
            $"{context}: suppressions of {key} differ: expected [{string.Join(", ", suppressions.AsEnumerable())}], found [{string.Join(", ", (found?.Suppressions ?? []).AsEnumerable())}]");
        Assert.True(consents.SequenceEqual(found?.Consents ?? []), $"{context}: consents of {key} differ");
    }

    private static Guid GuidFrom(Random random)
    {
        Span<byte> bytes = stackalloc byte[16];
        random.NextBytes(bytes);
        return new Guid(bytes);
    }

    /// <summary>A pool of keys that share high halves (same home slot, long probe chains), with a few whose high half is zero.</summary>
    private static ContactKey[] KeyPool(Random random, int count)
    {
        var highs = Enumerable.Range(0, Math.Max(2, count / 4)).Select(_ => (ulong)random.NextInt64(1, long.MaxValue) * 2).ToArray();
        return Enumerable.Range(0, count)
            .Select(i => new ContactKey(i % 13 == 0 ? 0 : highs[random.Next(highs.Length)] + (ulong)random.Next(3), (ulong)random.NextInt64()))
            .Distinct()
            .ToArray();
    }

    private static void RunSequence(int seed, int operations, string?[] organizations, string?[] channels, string?[] purposes, string[] reasons)
    {
        var random = new Random(seed);
        var keys = KeyPool(random, random.Next(2, 60));
        var index = new GateIndex(capacity: random.Next(0, 8));
        var model = new Model();
        T Pick<T>(IReadOnlyList<T> items) => items[random.Next(items.Count)];
        Guid ExistingOr(IEnumerable<Guid> ids) => ids.ToList() is { Count: > 0 } list && random.Next(4) > 0 ? Pick(list) : GuidFrom(random);

        for (var step = 0; step < operations; step++)
        {
            var key = Pick(keys);
            var context = $"seed {seed}, step {step}";
            switch (random.Next(100))
            {
                case < 40:
                    var suppression = new SuppressionFact(ExistingOr(model.SuppressionIds(key)), Pick(organizations), Pick(channels), Pick(purposes), Pick(reasons),
                        random.NextInt64(0, 2_000_000_000_000), random.Next(3) == 0 ? random.NextInt64(0, 2_000_000_000_000) : null);
                    // A repeated id is a repeated row (catch-up after a commit): the first version stays, as in the model.
                    index.AddSuppression(key, suppression);
                    model.AddSuppression(key, suppression);
                    break;
                case < 55:
                    var lifted = ExistingOr(model.SuppressionIds(key));
                    index.LiftSuppression(key, lifted);
                    model.Lift(key, lifted);
                    break;
                case < 72:
                    var consent = new ConsentFact(ExistingOr(model.ConsentIds(key)), Pick(organizations) ?? "org_z", Pick(channels) ?? "sms", Pick(purposes) ?? "seminar",
                        random.NextInt64(0, 2_000_000_000_000), random.Next(2) == 0 ? null : random.NextInt64(0, 2_000_000_000_000), "ev_1", "Event", 1, "sha256:x");
                    index.AddConsent(key, consent);
                    model.AddConsent(key, consent);
                    break;
                case < 85:
                    var withdrawn = ExistingOr(model.ConsentIds(key));
                    var at = random.NextInt64(0, 2_000_000_000_000);
                    index.Withdraw(key, withdrawn, at);
                    model.Withdraw(key, withdrawn, at);
                    break;
                case < 90:
                    index.RemoveConsents(key);
                    model.RemoveConsents(key);
                    break;
                case < 92:
                    index.EnsureCapacity(random.Next(0, 100));
                    break;
                default:
                    // A key nobody wrote: nothing is found.
                    Assert.Null(index.Find(new ContactKey((ulong)random.NextInt64(), (ulong)random.NextInt64())));
                    break;
            }
            AssertSame(model, index, key, context);
        }
        foreach (var key in keys) AssertSame(model, index, key, $"seed {seed}, end");
    }

    [Fact]
    public void Index_agrees_with_a_dictionary_model_over_random_write_sequences()
    {
        for (var seed = 1; seed <= 300; seed++)
            RunSequence(seed, 400, ["org_a", "org_b", "org_c", null], [null, "sms", "call", "email"], [null, "seminar", "webinar"],
                [ReasonCodes.OptedOut, ReasonCodes.RefusedOnCall, ReasonCodes.Erased]);
    }

    [Fact]
    public void Index_agrees_with_the_model_when_strings_outgrow_the_compact_slot()
    {
        // More channels and reasons than a slot can number: later entries must still be kept, in the overflow.
        var channels = Enumerable.Range(0, 24).Select(i => (string?)$"ch{i}").Append(null).ToArray();
        var reasons = Enumerable.Range(0, 24).Select(i => $"reason_{i}").ToArray();
        for (var seed = 1_000; seed < 1_100; seed++)
            RunSequence(seed, 400, ["org_a", null], channels, [null, "seminar"], reasons);
    }

    [Fact]
    public void More_purposes_than_a_slot_can_number_are_all_kept()
    {
        var index = new GateIndex();
        var random = new Random(5);
        var entries = Enumerable.Range(0, ushort.MaxValue + 500)
            .Select(i => (Key: new ContactKey((ulong)random.NextInt64(1, long.MaxValue), (ulong)i), Fact: new SuppressionFact(Guid.NewGuid(), "org_a", "sms", $"purpose-{i}", ReasonCodes.OptedOut, i)))
            .ToList();
        foreach (var (key, fact) in entries) index.AddSuppression(key, fact);
        foreach (var (key, fact) in entries) Assert.Equal([fact], index.Find(key)!.Suppressions);
        Assert.Equal(entries.Count, index.ContactCount);
    }

    [Fact]
    public void Lifting_the_only_entry_leaves_nothing_that_suppresses()
    {
        var index = new GateIndex();
        var key = new ContactKey(42, 7);
        var fact = new SuppressionFact(Guid.NewGuid(), "org_a", "sms", null, ReasonCodes.OptedOut, 1, Until: 99);
        index.AddSuppression(key, fact);
        Assert.Equal([fact], index.Find(key)!.Suppressions);

        index.LiftSuppression(key, fact.Id);

        Assert.Empty(index.Find(key)?.Suppressions ?? []);
    }

    private static ContactKey KeyOf(int i)
    {
        // SplitMix64: well spread, reproducible keys; every 997th has a zero high half (kept outside the table).
        static ulong Mix(ulong z)
        {
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
        var high = Mix((ulong)i * 0x9E3779B97F4A7C15UL + 1);
        return new ContactKey(i % 997 == 0 ? 0 : high | 1, Mix(high));
    }

    private static SuppressionFact FactOf(int i) => new(
        new Guid(i, (short)(i >> 3), (short)(i >> 7), 1, 2, 3, 4, 5, 6, 7, (byte)i), i % 3 == 0 ? null : $"org_{i % 5}", (i % 4) switch { 0 => null, 1 => "sms", 2 => "call", _ => "email" },
        i % 2 == 0 ? null : "seminar", i % 7 == 0 ? ReasonCodes.RefusedOnCall : ReasonCodes.OptedOut, 1_700_000_000_000 + i, i % 5 == 0 ? 1_800_000_000_000 + i : null);

    [Fact]
    public async Task Readers_never_see_a_torn_or_missing_entry_while_the_writer_adds_moves_and_grows()
    {
        const int contacts = 150_000;
        var index = new GateIndex(capacity: 16);
        var published = 0;
        var writerDone = false;
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var checks = 0L;
        var readerCount = Math.Max(2, Environment.ProcessorCount);
        var started = new CountdownEvent(readerCount);

        var writer = Task.Run(() =>
        {
            // The race only means something once the readers are reading.
            started.Wait(TimeSpan.FromSeconds(30));
            for (var i = 0; i < contacts; i++)
            {
                var key = KeyOf(i);
                index.AddSuppression(key, FactOf(i));
                Volatile.Write(ref published, i + 1);
                // Some contacts move to the overflow afterwards (a consent, a second entry lifted again): the first entry must never flicker.
                if (i % 7 == 0) index.AddConsent(key, new ConsentFact(Guid.NewGuid(), "org_1", "sms", "seminar", 1, null, null, null, null, null));
                if (i % 11 == 0)
                {
                    var second = new SuppressionFact(Guid.NewGuid(), "org_2", "sms", null, ReasonCodes.OptedOut, 2);
                    index.AddSuppression(key, second);
                    index.LiftSuppression(key, second.Id);
                }
            }
            Volatile.Write(ref writerDone, true);
        });

        var readers = Enumerable.Range(0, readerCount).Select(r => Task.Run(() =>
        {
            var random = new Random(r);
            started.Signal();
            while (!Volatile.Read(ref writerDone) && failures.IsEmpty)
            {
                // Everything published before this moment must be there, whole.
                var before = Volatile.Read(ref published);
                if (before == 0) continue;
                for (var n = 0; n < 256; n++)
                {
                    var i = n < 8 ? before - 1 - n : random.Next(before);
                    if (i < 0) continue;
                    var facts = index.Find(KeyOf(i));
                    var expected = FactOf(i);
                    if (facts is null || !facts.Suppressions.Contains(expected))
                        failures.Enqueue($"contact {i} (published {before}): found [{string.Join(", ", (facts?.Suppressions ?? []).AsEnumerable())}], expected {expected}");
                    if (facts is not null && facts.Suppressions.Any(s => s.Id != expected.Id && s.OrganizationId != "org_2"))
                        failures.Enqueue($"contact {i}: an entry of another contact");
                }
                // Contacts being written right now: absent, or there whole — never half an entry.
                for (var i = before; i < before + 4 && i < contacts; i++)
                {
                    if (index.Find(KeyOf(i)) is { Suppressions.Length: > 0 } inFlight && !inFlight.Suppressions.Contains(FactOf(i)))
                        failures.Enqueue($"contact {i} (being written): found [{string.Join(", ", inFlight.Suppressions.AsEnumerable())}], expected {FactOf(i)}");
                }
                Interlocked.Add(ref checks, 256);
                // Never-written keys stay unknown.
                if (index.Find(KeyOf(contacts + random.Next(1_000_000))) is not null) failures.Enqueue("a key nobody wrote was found");
            }
        })).ToArray();

        await Task.WhenAll([writer, .. readers]).WaitAsync(TimeSpan.FromMinutes(2));

        Assert.True(failures.IsEmpty, string.Join(Environment.NewLine, failures.Take(5)));
        Assert.True(Interlocked.Read(ref checks) > 0, "the readers checked while the writer wrote");
        Assert.Equal(contacts, index.ContactCount);
        for (var i = 0; i < contacts; i++) Assert.Contains(FactOf(i), index.Find(KeyOf(i))!.Suppressions);
    }
}
