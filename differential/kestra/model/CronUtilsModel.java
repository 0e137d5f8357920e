import com.cronutils.model.definition.CronDefinition;
import com.cronutils.model.time.ExecutionTime;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.time.*;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.*;

/**
 * A model of cron-utils 9.2.1's ExecutionTime.nextExecution / lastExecution in a time zone, written
 * with what a Rust port has: civil date-times, the cron's civil value sets, and the zone's offsets.
 * It is the algorithm FINDINGS-dst.md states (rules N0-N3, B0-B2, Z1-Z3), runnable: `check.sh` swaps
 * it in for cron-utils inside KestraOracle and compares every committed answer.
 *
 * A zoned time is a pair (wall clock, offset). Every move of the search is one of two kinds:
 *   - "wall" (Z2): set wall-clock fields, then resolve the new wall time in the zone, preferring the
 *     offset the time had before the move;
 *   - "instant" (Z3): add seconds to the instant and read the wall clock there.
 * cron-utils only supplies the parsed cron here: its seconds/minutes/hours/months value lists and
 * its day-of-month candidates for a (year, month), read by reflection (both are civil).
 */
public final class CronUtilsModel {
    static final class NoMatch extends Exception {}

    /** A zoned time: wall clock and offset (the zone is the model's). */
    record Zt(LocalDateTime wall, ZoneOffset offset) {
        long epoch() { return wall.toEpochSecond(offset); }
        int nano() { return wall.getNano(); }
        public String toString() { return wall + "" + offset; }
    }

    final ZoneRules rules;
    final List<Integer> seconds, minutes, hours, months;
    private final Object cronUtils; private final Method generateDays; private final CronDefinition definition;
    private final Map<Integer, List<Integer>> dayCache = new HashMap<>();

    CronUtilsModel(ExecutionTime singleExecutionTime, ZoneId zone) throws ReflectiveOperationException {
        rules = zone.getRules();
        cronUtils = singleExecutionTime;
        seconds = values(singleExecutionTime, "seconds");
        minutes = values(singleExecutionTime, "minutes");
        hours = values(singleExecutionTime, "hours");
        months = values(singleExecutionTime, "months");
        Field f = singleExecutionTime.getClass().getDeclaredField("cronDefinition");
        f.setAccessible(true);
        definition = (CronDefinition) f.get(singleExecutionTime);
        generateDays = singleExecutionTime.getClass().getDeclaredMethod("generateDays", CronDefinition.class, ZonedDateTime.class);
        generateDays.setAccessible(true);
    }

    @SuppressWarnings("unchecked")
    private static List<Integer> values(Object o, String field) throws ReflectiveOperationException {
        Field f = o.getClass().getDeclaredField(field);
        f.setAccessible(true);
        Object node = f.get(o);
        Method m = node.getClass().getDeclaredMethod("getValues");
        m.setAccessible(true);
        return new ArrayList<>((List<Integer>) m.invoke(node));
    }

    /** The day-of-month candidates of (year, month), ascending; empty = none (civil). */
    @SuppressWarnings("unchecked")
    List<Integer> days(int year, int month) {
        return dayCache.computeIfAbsent(year * 16 + month, k -> {
            try {
                Optional<Object> o = (Optional<Object>) generateDays.invoke(cronUtils, definition, ZonedDateTime.of(year, month, 1, 0, 0, 0, 0, ZoneOffset.UTC));
                if (o.isEmpty()) return List.of();
                Method g = o.get().getClass().getDeclaredMethod("getValues");
                g.setAccessible(true);
                return new ArrayList<>((List<Integer>) g.invoke(o.get()));
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    // ---- Z1-Z3: the two kinds of moves ----

    /** Z1: resolve a wall time: one offset; a gap moves it forward by the gap's length; a fold keeps `prefer` if valid, else the larger (earlier) offset. */
    Zt resolve(LocalDateTime wall, ZoneOffset prefer) {
        List<ZoneOffset> valid = rules.getValidOffsets(wall);
        if (valid.size() == 1) return new Zt(wall, valid.get(0));
        if (valid.isEmpty()) {
            ZoneOffsetTransition t = rules.getTransition(wall);
            int gap = t.getOffsetAfter().getTotalSeconds() - t.getOffsetBefore().getTotalSeconds();
            return new Zt(wall.plusSeconds(gap), t.getOffsetAfter());
        }
        if (prefer != null && valid.contains(prefer)) return new Zt(wall, prefer);
        ZoneOffset a = valid.get(0), b = valid.get(1);
        return new Zt(wall, a.getTotalSeconds() > b.getTotalSeconds() ? a : b);
    }
    /** Z2: a wall move from t. */
    Zt wall(Zt t, LocalDateTime wall) { return resolve(wall, t.offset()); }
    /** Z3: an instant move. */
    Zt plus(Zt t, long secs) { return at(t.epoch() + secs, t.nano()); }
    Zt at(long epoch, int nano) {
        ZoneOffset o = rules.getOffset(Instant.ofEpochSecond(epoch, nano));
        return new Zt(LocalDateTime.ofEpochSecond(epoch, nano, o), o);
    }
    Zt minusNano(Zt t) {
        Instant i = Instant.ofEpochSecond(t.epoch(), t.nano()).minusNanos(1);
        return at(i.getEpochSecond(), i.getNano());
    }

    private static int after(List<Integer> vs, int v) { for (int x : vs) if (x > v) return x; return -1; }
    private static int before(List<Integer> vs, int v) { for (int i = vs.size() - 1; i >= 0; i--) if (vs.get(i) < v) return vs.get(i); return -1; }
    private static int field(LocalDateTime l, ChronoUnit u) { return u == ChronoUnit.HOURS ? l.getHour() : u == ChronoUnit.MINUTES ? l.getMinute() : l.getSecond(); }

    // ---- F0-F3: the forward search (SingleExecutionTime.nextClosestMatch) ----

    Zt forward(Zt d) throws NoMatch {
        Zt t = d;
        for (int i = 0; i < 100_000; i++) {
            Zt n = forwardStep(t);
            if (n == t) return t;                                             // every field matches
            t = n;
            if (t.wall().getYear() - d.wall().getYear() > 100) throw new NoMatch();
        }
        throw new NoMatch();
    }
    private Zt beginOfNextMonth(Zt t) {
        Zt a = wall(t, t.wall().truncatedTo(ChronoUnit.DAYS));
        Zt b = wall(a, a.wall().plusMonths(1));
        return wall(b, b.wall().withDayOfMonth(1));
    }
    /** One step; returns t itself when every field matches. */
    private Zt forwardStep(Zt t) throws NoMatch {
        LocalDateTime l = t.wall();
        LocalTime low = LocalTime.of(hours.get(0), minutes.get(0), seconds.get(0));
        if (!months.contains(l.getMonthValue())) {                           // F1 month
            int m = after(months, l.getMonthValue());
            if (m < 0) {
                Zt a = wall(t, l.truncatedTo(ChronoUnit.DAYS));
                Zt b = wall(a, a.wall().withMonth(1));
                Zt c = wall(b, b.wall().withDayOfMonth(1));
                return wall(c, c.wall().plusYears(1));
            }
            List<Integer> ds = days(l.getYear(), m);
            if (ds.isEmpty()) return beginOfNextMonth(t);
            Zt a = wall(t, l.truncatedTo(ChronoUnit.SECONDS));
            Zt b = wall(a, a.wall().withMonth(m));
            Zt c = wall(b, b.wall().withDayOfMonth(ds.get(0)));
            return wall(c, LocalDateTime.of(c.wall().toLocalDate(), low));
        }
        List<Integer> ds = days(l.getYear(), l.getMonthValue());
        if (ds.isEmpty()) return beginOfNextMonth(t);
        if (!ds.contains(l.getDayOfMonth())) {                               // F1 day
            int d = after(ds, l.getDayOfMonth());
            if (d < 0) {
                Zt a = wall(t, l.truncatedTo(ChronoUnit.DAYS));
                Zt b = wall(a, a.wall().withDayOfMonth(1));
                return wall(b, b.wall().plusMonths(1));
            }
            Zt a = wall(t, l.truncatedTo(ChronoUnit.SECONDS));
            Zt b = wall(a, a.wall().withDayOfMonth(d));
            return wall(b, LocalDateTime.of(b.wall().toLocalDate(), low));
        }
        if (!hours.contains(l.getHour())) return forwardUnit(t, hours, ChronoUnit.HOURS, 23);      // F2
        if (!minutes.contains(l.getMinute())) return forwardUnit(t, minutes, ChronoUnit.MINUTES, 59);
        if (!seconds.contains(l.getSecond())) return forwardUnit(t, seconds, ChronoUnit.SECONDS, 59);
        return t;
    }
    /** F2: add one unit of instant time until the field's wall value is in the set, then zero the smaller fields (a wall move). */
    private Zt forwardUnit(Zt t, List<Integer> set, ChronoUnit unit, int range) throws NoMatch {
        for (int i = 0; i < 2 * range; i++) {
            t = plus(t, unit.getDuration().getSeconds());
            if (set.contains(field(t.wall(), unit))) return wall(t, t.wall().truncatedTo(unit));
        }
        throw new NoMatch();
    }

    // ---- B0-B2: the backward search (SingleExecutionTime.previousClosestMatch) ----

    Zt backward(Zt d) throws NoMatch {
        Zt t = d;
        for (int i = 0; i < 100_000; i++) {
            Zt[] r = backwardStep(t);
            if (r[1] != null) return r[1];
            t = r[0];
        }
        throw new NoMatch();
    }
    /** One step: {next state, null} or {null, match}. */
    private Zt[] backwardStep(Zt t) throws NoMatch {
        LocalDateTime l = t.wall();
        List<Integer> ds = days(l.getYear(), l.getMonthValue());
        LocalTime high = LocalTime.of(hours.get(hours.size() - 1), minutes.get(minutes.size() - 1), seconds.get(seconds.size() - 1));
        if (ds.isEmpty() || ds.get(0) > l.getDayOfMonth()) {               // B1 no day left in this month
            Zt a = wall(t, l.minusMonths(1));
            Zt b = wall(a, a.wall().with(TemporalAdjusters.lastDayOfMonth()));
            return new Zt[]{resolve(LocalDateTime.of(b.wall().toLocalDate(), high), null), null};
        }
        if (!months.contains(l.getMonthValue())) {                           // B1 month
            if (before(months, l.getMonthValue()) < 0) {
                Zt a = resolve(LocalDateTime.of(l.getYear(), 12, 31, 23, 59, 59), null);
                return new Zt[]{wall(a, a.wall().minusYears(1)), null};
            }
            return new Zt[]{minusNano(resolve(LocalDateTime.of(l.getYear(), l.getMonthValue(), 1, 0, 0), null)), null};
        }
        if (!ds.contains(l.getDayOfMonth())) {                               // B1 day
            int d = before(ds, l.getDayOfMonth());
            if (d < 0) {
                Zt a = resolve(LocalDateTime.of(l.getYear(), l.getMonthValue(), 1, 23, 59, 59), null);
                Zt b = wall(a, a.wall().minusMonths(1));
                return new Zt[]{wall(b, b.wall().with(TemporalAdjusters.lastDayOfMonth())), null};
            }
            Zt a = wall(t, l.withDayOfMonth(d));
            Zt b = wall(a, LocalDateTime.of(a.wall().toLocalDate(), high));
            return new Zt[]{wall(b, b.wall().truncatedTo(ChronoUnit.SECONDS)), null};
        }
        if (!hours.contains(l.getHour())) return new Zt[]{backwardUnit(t, hours, ChronoUnit.HOURS, 23), null};      // B2
        if (!minutes.contains(l.getMinute())) return new Zt[]{backwardUnit(t, minutes, ChronoUnit.MINUTES, 59), null};
        if (!seconds.contains(l.getSecond())) return new Zt[]{backwardUnit(t, seconds, ChronoUnit.SECONDS, 59), null};
        return new Zt[]{null, wall(t, l.truncatedTo(ChronoUnit.SECONDS))};
    }
    /** B2: subtract one unit of instant time until the field's wall value is in the set; then zero the smaller fields (wall move), add one unit and subtract one second (instant moves). */
    private Zt backwardUnit(Zt t, List<Integer> set, ChronoUnit unit, int range) throws NoMatch {
        long s = unit.getDuration().getSeconds();
        for (int i = 0; i < 2 * range; i++) {
            t = plus(t, -s);
            if (set.contains(field(t.wall(), unit))) {
                Zt a = wall(t, t.wall().truncatedTo(unit));
                return plus(plus(a, s), -1);
            }
        }
        throw new NoMatch();
    }

    // ---- N0-N3: the two calls Kestra makes ----

    Optional<Zt> nextExecution(Zt d) {
        try {
            Zt m = forward(d);
            if (m.equals(d)) {                                                // N1: d is a fire time
                m = forward(plus(d, 1));
                if (m.offset().getTotalSeconds() < d.offset().getTotalSeconds()) {   // N2: the offset dropped
                    Zt after = null;
                    try { after = forward(plus(m, 1)); } catch (NoMatch ignored) {}
                    long secs = after == null ? 0 : after.epoch() - m.epoch() - (after.nano() < m.nano() ? 1 : 0);
                    if (after != null && secs / 3600 > 1) m = forward(plus(d, 3601));  // N3
                }
            }
            return Optional.of(m);
        } catch (NoMatch e) {
            return Optional.empty();
        }
    }
    Optional<Zt> lastExecution(Zt d) {
        try {
            Zt p = backward(d);
            if (p.equals(d)) p = backward(plus(d, -1));
            return Optional.of(p);
        } catch (NoMatch e) {
            return Optional.empty();
        }
    }

    // ---- An ExecutionTime answered by the model (for check.sh) ----

    static ExecutionTime wrap(ExecutionTime cronUtils, ZoneId zone) {
        if (!cronUtils.getClass().getSimpleName().equals("SingleExecutionTime")) throw new IllegalStateException(cronUtils.getClass().getName());
        final CronUtilsModel m;
        try { m = new CronUtilsModel(cronUtils, zone); } catch (ReflectiveOperationException e) { throw new IllegalStateException(e); }
        return new ExecutionTime() {
            Zt in(ZonedDateTime d) {
                if (!d.getZone().equals(zone)) throw new IllegalStateException("zone " + d.getZone());
                return new Zt(d.toLocalDateTime(), d.getOffset());
            }
            ZonedDateTime out(Zt t) { return ZonedDateTime.ofStrict(t.wall(), t.offset(), zone); }
            public Optional<ZonedDateTime> nextExecution(ZonedDateTime d) { return m.nextExecution(in(d)).map(this::out); }
            public Optional<ZonedDateTime> lastExecution(ZonedDateTime d) { return m.lastExecution(in(d)).map(this::out); }
            public Optional<Duration> timeToNextExecution(ZonedDateTime d) { throw new UnsupportedOperationException(); }
            public Optional<Duration> timeFromLastExecution(ZonedDateTime d) { throw new UnsupportedOperationException(); }
            public boolean isMatch(ZonedDateTime d) { throw new UnsupportedOperationException(); }
        };
    }
}
