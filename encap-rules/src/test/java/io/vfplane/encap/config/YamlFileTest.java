package io.vfplane.encap.config;

import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class YamlFileTest
{
    /** The refusal of the test kind of file. */
    static final class NameFileException extends YamlFileException
    {
        private static final long serialVersionUID = 1L;

        NameFileException(final List<String> errors)
        {
            super(errors);
        }
    }

    /** How often the body ran: a file refused before its top level is read never reaches it. */
    private final List<String> bodyRuns = new ArrayList<>();

    /** A kind of file with one required field, {@code name}, and an optional {@code port}. */
    private final YamlFile<String, NameFileException> names = new YamlFile<>(Set.of("name", "port"),
        NameFileException::new, (fields, root, top) ->
        {
            bodyRuns.add(fields.fileName());
            fields.require(top, root, "", "name");
            fields.integer(top, "port", "", 1, 65535, 0);
            return fields.string(top, "name", "");
        });

    @Test
    void shouldGiveTheBodysValueForAFileWithoutErrors() throws Exception
    {
        assertEquals("alpha", names.parse("n.yaml", new StringReader("name: alpha\nport: 80\n")));
        assertEquals(List.of("n.yaml"), bodyRuns);
    }

    @Test
    void shouldRefuseTheWholeFileWithTheTopLevelsErrorsAndTheBodysInOrder()
    {
        final NameFileException ex = assertThrows(NameFileException.class,
            () -> names.parse("n.yaml", new StringReader("port: 0\ncolour: red\n")));
        assertEquals(List.of(
            "n.yaml:2: colour: unknown field (allowed: name, port)",
            "n.yaml:1: name: is required",
            "n.yaml:1: port: 0 is out of range 1..65535"), ex.errors());
        assertEquals(String.join("\n", ex.errors()), ex.getMessage());
    }

    @Test
    void shouldRefuseADocumentThatIsNotAMappingWithoutRunningTheBody()
    {
        final List<String> errors = assertThrows(NameFileException.class,
            () -> names.parse("n.yaml", new StringReader("- alpha\n"))).errors();
        assertEquals(List.of("n.yaml:1: (top level): expected a mapping"), errors);
        assertEquals(List.of(), bodyRuns);
    }

    @Test
    void shouldReadAFileNamingItByItsFileNameAndRefuseOneThatCannotBeRead(@TempDir final Path dir) throws Exception
    {
        assertEquals("beta", names.read(Files.writeString(dir.resolve("b.yaml"), "name: beta\n")));
        assertEquals(List.of("b.yaml"), bodyRuns);
        final List<String> errors = assertThrows(NameFileException.class,
            () -> names.read(dir.resolve("gone.yaml"))).errors();
        assertEquals(1, errors.size(), errors.toString());
        assertTrue(errors.get(0).startsWith("gone.yaml:0: cannot read: "), errors.get(0));
        assertEquals(List.of("b.yaml"), bodyRuns, "the body never sees a file that could not be read");
    }
}
