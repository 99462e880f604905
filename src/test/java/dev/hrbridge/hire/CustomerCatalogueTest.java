package dev.hrbridge.hire;

import dev.hrbridge.config.ConfigurationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The customer catalogue file: its documented format, and a clear refusal of anything Feishu would not take. */
class CustomerCatalogueTest {

    @TempDir
    Path dir;

    @Test
    void theShippedExampleOffersCustomer7233333BothPackagesAndPapers() {
        CustomerCatalogue catalogue = CustomerCatalogue.read("classpath:eco-catalogue.json");

        CustomerCatalogue.Customer customer = catalogue.customer("7233333").orElseThrow();
        assertThat(customer.serves(EcoAccount.BACKGROUND_CHECK)).isTrue();
        assertThat(customer.serves(EcoAccount.EXAM)).isTrue();
        assertThat(customer.pushRequest("acc-1", EcoAccount.BACKGROUND_CHECK))
                .containsOnlyKeys("account_id", "package_list", "additional_item_list")
                .containsEntry("account_id", "acc-1");
        assertThat(customer.pushRequest("acc-1", EcoAccount.EXAM)).containsOnlyKeys("account_id", "paper_list");
        assertThat(catalogue.customer("7244444").orElseThrow().serves(EcoAccount.BACKGROUND_CHECK)).isFalse();
        assertThat(catalogue.customer("nobody")).isEmpty();
    }

    @Test
    void aCatalogueIsReadFromAFilePathWithItsItemsAsWritten() throws Exception {
        Path file = dir.resolve("catalogue.json");
        Files.writeString(file, """
                {"customers": {"c-1": {"paper_list": [{"id": "p1", "name": "Test", "duration": 30, "start_time": "1000", "end_time": "2000"}]}}}""");

        for (String location : List.of(file.toString(), "file:" + file)) {
            CustomerCatalogue.Customer customer = CustomerCatalogue.read(location).customer("c-1").orElseThrow();
            assertThat(customer.paperList()).containsExactly(
                    Map.of("id", "p1", "name", "Test", "duration", 30, "start_time", "1000", "end_time", "2000"));
        }
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
            "{\"customers\": [] }|\"customers\" must be an object",
            "{\"customers\": {\"c\": {}}}|offers nothing",
            "{\"customers\": {\"c\": {\"package_list\": [{\"name\": \"No id\"}]}}}|package_list[0]: id is required",
            "{\"customers\": {\"c\": {\"package_list\": [{\"id\": \"0123456789012345678901234567890123456\", \"name\": \"n\"}]}}}|longer than Feishu's 36 characters",
            "{\"customers\": {\"c\": {\"package_list\": [{\"id\": \"a\", \"name\": \"n\"}, {\"id\": \"a\", \"name\": \"m\"}]}}}|id 'a' appears twice",
            "{\"customers\": {\"c\": {\"additional_item_list\": [{\"id\": \"a\", \"name\": \"n\"}], \"paper_list\": [{\"id\": \"p\", \"name\": \"n\"}]}}}|additional_item_list needs a package_list",
            "{\"customers\": {\"c\": {\"paper_list\": [{\"id\": \"p\", \"name\": \"n\", \"question_num\": 3}]}}}|unknown field 'question_num'",
            "{\"customers\": {\"c\": {\"paper_list\": [{\"id\": \"p\", \"name\": \"n\", \"duration\": \"an hour\"}]}}}|duration must be a whole number",
            "{\"customers\": {\"c\": {\"paper_list\": [{\"id\": \"p\", \"name\": \"n\", \"start_time\": 1658676234053}]}}}|start_time must be a millisecond timestamp in a string",
            "{\"customers\": {\"c\": {\"paper_list\": [{\"id\": \"p\", \"name\": \"n\", \"start_time\": \"2000\", \"end_time\": \"1000\"}]}}}|start_time must be before end_time",
            "{\"customers\": {\"c\": {\"paper_list\": []}, \"c\": {\"paper_list\": []}}}|not valid JSON",
            "{\"customers\": {|not valid JSON",
    })
    void aMalformedCatalogueIsRefusedNamingTheSettingAndTheProblem(String content, String problem) throws Exception {
        Path file = dir.resolve("bad.json");
        Files.writeString(file, content);

        assertThatThrownBy(() -> CustomerCatalogue.read(file.toString()))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("hrb.eco.catalogue (HRB_ECO_CATALOGUE): the customer catalogue '" + file + "'")
                .hasMessageContaining(problem);
    }

    @Test
    void aMissingFileIsRefusedNamingIt() {
        assertThatThrownBy(() -> CustomerCatalogue.read(dir.resolve("absent.json").toString()))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("hrb.eco.catalogue (HRB_ECO_CATALOGUE)")
                .hasMessageContaining("cannot be read (NoSuchFileException");
        assertThatThrownBy(() -> CustomerCatalogue.read("classpath:absent.json"))
                .hasMessageContaining("cannot be read");
    }
}
