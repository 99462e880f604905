package dev.hrbridge.config;

import dev.hrbridge.HrBridge;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PackagedRoutesTest {

    @Test
    void aClasspathWildcardBecomesTheListOfPackagedRouteFiles() {
        String expanded = PackagedRoutes.expand("classpath:routes/*.camel.yaml", HrBridge.class);
        assertThat(expanded.split(",")).contains("classpath:routes/offboarding-revoke.camel.yaml",
                "classpath:routes/event-router.camel.yaml").allMatch(p -> p.endsWith(".camel.yaml"));
    }

    @Test
    void patternsWithoutAClasspathWildcardAreLeftToCamel() {
        assertThat(PackagedRoutes.expand("file:/opt/routes/*.yaml, classpath:routes/inbox.camel.yaml", HrBridge.class))
                .isEqualTo("file:/opt/routes/*.yaml,classpath:routes/inbox.camel.yaml");
        assertThat(PackagedRoutes.expand("classpath:nothing-here/*.yaml", HrBridge.class))
                .isEqualTo("classpath:nothing-here/*.yaml");
    }
}
