package io.vfplane.encap.config;

import java.io.StringReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.nodes.Node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class YamlFieldsTest
{
    private static final Set<String> KEYS = Set.of("port", "name", "mac", "ip", "flag", "mode", "list");

    private static Node compose(final String yaml) throws YamlSource.Refused
    {
        return YamlSource.compose("t.yaml", new StringReader(yaml));
    }

    private static Map<String, Node> top(final YamlFields fields, final String yaml) throws YamlSource.Refused
    {
        final Map<String, Node> m = fields.mapping(compose(yaml), "", KEYS);
        assertTrue(m != null, "the document is a mapping");
        return m;
    }

    @Test
    void shouldCollectEveryErrorWithFileLineAndField() throws Exception
    {
        final YamlFields fields = new YamlFields("t.yaml");
        final Map<String, Node> m = top(fields, String.join("\n",
            "port: 70000",           // 1
            "name: [a, b]",          // 2
            "colour: red",           // 3
            "mac: 02:00:00:00:00",   // 4
            ""));
        assertEquals(-1, fields.integer(m, "port", "", 1, 65535, -1));
        assertNull(fields.string(m, "name", ""));
        assertEquals(-1, fields.mac(m.get("mac"), "mac"));
        assertEquals(List.of(
            "t.yaml:3: colour: unknown field (allowed: flag, ip, list, mac, mode, name, port)",
            "t.yaml:1: port: 70000 is out of range 1..65535",
            "t.yaml:2: name: expected a single value",
            "t.yaml:4: mac: \"02:00:00:00:00\" is not a MAC address"), fields.errors());
        assertTrue(fields.hasErrors());
        assertEquals(4, fields.errorCount());
    }

    @Test
    void shouldListTheAllowedFieldsOfAnUnknownOneAndStillReadTheOthers() throws Exception
    {
        final YamlFields fields = new YamlFields("t.yaml");
        final Map<String, Node> m = fields.mapping(compose("item:\n  a: 1\n  c: 3\n  b: 2\n"), "", Set.of("item"));
        final Map<String, Node> item = fields.mapping(m.get("item"), "item", Set.of("b", "a"));
        assertEquals(List.of("a", "b"), List.copyOf(item.keySet()), "known fields kept, in file order");
        assertEquals(List.of("t.yaml:3: item.c: unknown field (allowed: a, b)"), fields.errors());
    }

    @Test
    void shouldHoldIntegersToTheirBoundsInclusive() throws Exception
    {
        final YamlFields fields = new YamlFields("t.yaml");
        final Node list = compose("[0, 255, -1, 256, 0xff, 0x100, 1_000, twelve, '']");
        final List<Node> items = fields.sequence(list, "list");
        final long[] got = new long[items.size()];
        for (int i = 0; i < got.length; i++)
        {
            got[i] = fields.number(items.get(i), "list[" + i + "]", 0, 255, -7);
        }
        assertArrayEquals(new long[]{0, 255, -7, -7, 255, -7, -7, -7, -7}, got);
        assertEquals(List.of(
            "t.yaml:1: list[2]: -1 is out of range 0..255",
            "t.yaml:1: list[3]: 256 is out of range 0..255",
            "t.yaml:1: list[5]: 256 is out of range 0..255",
            "t.yaml:1: list[6]: 1000 is out of range 0..255",
            "t.yaml:1: list[7]: \"twelve\" is not a number",
            "t.yaml:1: list[8]: \"\" is not a number"), fields.errors());
    }

    @Test
    void shouldGiveTheAbsentValueForAMissingFieldWithoutAnError() throws Exception
    {
        final YamlFields fields = new YamlFields("t.yaml");
        final Map<String, Node> m = top(fields, "name: x\n");
        assertEquals(42, fields.integer(m, "port", "", 1, 65535, 42));
        assertEquals("fast", fields.word(m, "mode", "", "fast", "fast", "slow"));
        assertTrue(fields.bool(m, "flag", "", true));
        assertNull(fields.address(m, "ip", "", 0));
        assertFalse(fields.hasErrors(), fields.errors().toString());
    }

    @Test
    void shouldRefuseAWrongTypeAtItsLine() throws Exception
    {
        final YamlFields fields = new YamlFields("t.yaml");
        final Map<String, Node> m = top(fields, String.join("\n",
            "name: x",                // 1
            "list:",                  // 2
            "  a: 1",                 // 3
            "port: {a: 1}",           // 4
            ""));
        assertNull(fields.sequence(m.get("list"), "list"));
        assertNull(fields.mapping(m.get("name"), "name", Set.of()));
        assertEquals(-1, fields.integer(m, "port", "", 0, 10, -1));
        assertEquals(List.of(
            "t.yaml:3: list: expected a list",
            "t.yaml:1: name: expected a mapping",
            "t.yaml:4: port: expected a single value"), fields.errors());
    }

    @Test
    void shouldRefuseADocumentThatIsNotAMappingAndKeysThatAreNotNames() throws Exception
    {
        final YamlFields fields = new YamlFields("t.yaml");
        assertNull(fields.mapping(compose("- a\n- b\n"), "", KEYS));
        final Map<String, Node> m = fields.mapping(compose("name: x\n[a, b]: y\n"), "", KEYS);
        assertEquals(Set.of("name"), m.keySet());
        assertEquals(List.of(
            "t.yaml:1: (top level): expected a mapping",
            "t.yaml:2: (top level): keys must be plain names"), fields.errors());
    }

    @Test
    void shouldNameTheLineOfTheEnclosingMappingForAMissingField() throws Exception
    {
        final YamlFields fields = new YamlFields("t.yaml");
        final Map<String, Node> m = fields.mapping(compose("items:\n  - name: a\n  - port: 1\n"), "", Set.of("items"));
        final List<Node> items = fields.sequence(m.get("items"), "items");
        final Map<String, Node> second = fields.mapping(items.get(1), "items[1]", KEYS);
        fields.require(second, items.get(1), "items[1]", "name", "port");
        fields.error(null, "items[1].name.first", "a check about a field that is not there");
        assertEquals(List.of(
            "t.yaml:3: items[1].name: is required",
            "t.yaml:3: items[1].name.first: a check about a field that is not there"), fields.errors());
    }

    @Test
    void shouldHandEachMappingOfAListOnInTurnAndSkipAnItemThatIsNotOne() throws Exception
    {
        final YamlFields fields = new YamlFields("t.yaml");
        final List<String> seen = new ArrayList<>();
        fields.mappings(compose("- {name: a, port: 0}\n- just text\n- {name: c, colour: red}\n"), "items", KEYS,
            (index, path, item, m) ->
            {
                seen.add(index + " " + path + " " + List.copyOf(m.keySet()));
                fields.integer(m, "port", path, 1, 9, -1);
                fields.require(m, item, path, "mac");
            });
        assertEquals(List.of("0 items[0] [name, port]", "2 items[2] [name]"), seen);
        assertEquals(List.of(
            "t.yaml:1: items[0].port: 0 is out of range 1..9",
            "t.yaml:1: items[0].mac: is required",
            "t.yaml:2: items[1]: expected a mapping",
            "t.yaml:3: items[2].colour: unknown field (allowed: flag, ip, list, mac, mode, name, port)",
            "t.yaml:3: items[2].mac: is required"), fields.errors(), "in file order, item by item");

        final YamlFields notAList = new YamlFields("t.yaml");
        notAList.mappings(compose("name: x\n"), "items", KEYS, (index, path, item, m) -> seen.add(path));
        assertEquals(List.of("t.yaml:1: items: expected a list"), notAList.errors());
        assertEquals(2, seen.size());
    }

    @Test
    void shouldReadChoicesAndOnOffAndQuoteWhatWasWritten() throws Exception
    {
        final YamlFields fields = new YamlFields("t.yaml");
        final Map<String, Node> m = top(fields, "mode: medium\nflag: maybe\n");
        assertEquals("slow", fields.word(m, "mode", "", "slow", "fast", "slow"));
        assertNull(fields.word(m, "mode", "", null, "fast", "slow"));
        assertTrue(fields.bool(m, "flag", "", true));
        assertEquals(List.of(
            "t.yaml:1: mode: \"medium\" is not one of fast, slow",
            "t.yaml:1: mode: \"medium\" is not one of fast, slow",
            "t.yaml:2: flag: \"maybe\" is not on/off"), fields.errors());

        final YamlFields good = new YamlFields("t.yaml");
        final Map<String, Node> g = top(good, "mode: fast\nflag: off\n");
        assertEquals("fast", good.word(g, "mode", "", "slow", "fast", "slow"));
        assertFalse(good.bool(g, "flag", "", true));
        assertFalse(good.hasErrors());
    }

    @Test
    void shouldReadMacAddressesAndRefuseMulticastWhereAStationAddressIsWanted() throws Exception
    {
        final YamlFields fields = new YamlFields("t.yaml");
        final List<Node> items = fields.sequence(compose("['02:00:00:77:00:01', '02-00-00-77-00-02', " +
            "'01:00:5e:00:00:01', 'ff:ff:ff:ff:ff:ff', '02:00:zz:77:00:01']"), "macs");
        assertEquals(0x02_00_00_77_00_01L, fields.unicastMac(items.get(0), "macs[0]"));
        assertEquals(0x02_00_00_77_00_02L, fields.unicastMac(items.get(1), "macs[1]"));
        assertEquals(0x01_00_5e_00_00_01L, fields.mac(items.get(2), "macs[2]"), "a match may name a multicast MAC");
        assertEquals(-1, fields.unicastMac(items.get(2), "macs[2]"));
        assertEquals(-1, fields.unicastMac(items.get(3), "macs[3]"));
        assertEquals(-1, fields.mac(items.get(4), "macs[4]"));
        assertEquals(List.of(
            "t.yaml:1: macs[2]: \"01:00:5e:00:00:01\" is a multicast address",
            "t.yaml:1: macs[3]: \"ff:ff:ff:ff:ff:ff\" is a multicast address",
            "t.yaml:1: macs[4]: \"02:00:zz:77:00:01\" is not a MAC address"), fields.errors());
    }

    @Test
    void shouldReadAddressLiteralsOfTheFamilyAsked() throws Exception
    {
        final YamlFields fields = new YamlFields("t.yaml");
        final List<Node> items = fields.sequence(compose(
            "[192.0.2.1, '2001:db8::1', '2001:db8::1', 300.1.1.1, example.com, '::ffff:192.0.2.1']"), "ips");
        assertArrayEquals(new byte[]{(byte)192, 0, 2, 1}, fields.address(items.get(0), "ips[0]", 4));
        assertEquals(16, fields.address(items.get(1), "ips[1]", 0).length);
        assertNull(fields.address(items.get(2), "ips[2]", 4));
        assertNull(fields.address(items.get(3), "ips[3]", 0));
        assertNull(fields.address(items.get(4), "ips[4]", 0), "never a host name");
        assertEquals(16, fields.address(items.get(5), "ips[5]", 16).length, "a v4-mapped address stays IPv6");
        assertEquals(List.of(
            "t.yaml:1: ips[2]: \"2001:db8::1\" is not an IPv4 address",
            "t.yaml:1: ips[3]: \"300.1.1.1\" is not an IP address",
            "t.yaml:1: ips[4]: \"example.com\" is not an IP address"), fields.errors());
    }

    @Test
    void shouldRecordAFileThatCannotBeReadOrIsNotYamlAsOneErrorEach(@TempDir final Path dir)
    {
        final YamlFields missing = new YamlFields("absent.yaml");
        assertNull(missing.open(dir.resolve("absent.yaml")));
        assertNull(missing.document(null), "nothing more to say about a file that could not be read");
        assertEquals(1, missing.errorCount());
        assertTrue(missing.errors().get(0).startsWith("absent.yaml:0: cannot read: "), missing.errors().get(0));

        final YamlFields broken = new YamlFields("t.yaml");
        assertNull(broken.document(new StringReader("a: 1\nb: {c: 2\nd: 3\n")));
        assertNull(broken.document(new StringReader("")));
        assertEquals(2, broken.errorCount(), broken.errors().toString());
        assertTrue(broken.errors().get(0).matches("t\\.yaml:[1-9]\\d*: .+"), broken.errors().get(0));
        assertEquals("t.yaml:1: the file is empty", broken.errors().get(1));
    }
}
