package dev.hrbridge.qrcode;

import dev.hrbridge.api.ListPages;
import dev.hrbridge.config.Settings;
import dev.hrbridge.db.Database;
import dev.hrbridge.inbox.Flows;
import dev.hrbridge.inbox.Inbox;
import dev.hrbridge.ops.NodeRegistry;
import org.apache.camel.BeanInject;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.component.quartz.QuartzComponent;
import org.apache.camel.spi.Registry;
import org.quartz.Scheduler;
import org.apache.camel.support.service.ServiceSupport;

import java.time.Clock;

/** Wires the onboarding QR code flow: repository, API, rotation, notifications, the sweep and its Quartz scheduler. */
public class QrCodeConfiguration implements CamelConfiguration {

    @BeanInject
    private Settings settings;
    @BeanInject
    private Database database;
    @BeanInject
    private NodeRegistry nodeRegistry;

    @Override
    public void configure(CamelContext camelContext) throws Exception {
        Registry registry = camelContext.getRegistry();
        Clock clock = Clock.systemUTC();
        QrCodeRepository codes = new QrCodeRepository(database.dataSource());
        Inbox inbox = registry.lookupByNameAndType("inbox", Inbox.class);
        QrNotification notification = new QrNotification(settings.get("qr.notify.url"), settings.get("qr.notify.secret"));
        QrCodeRotation rotation = new QrCodeRotation(codes, inbox, notification, clock);
        QrCodeSweep sweep = new QrCodeSweep(codes, rotation, inbox.repository(), settings.getDuration("qr.max-age"), clock);
        Flows flows = registry.lookupByNameAndType("flows", Flows.class);
        flows.declare(QrCodeRotation.INACTIVE_FLOW, QrCodeRotation.INACTIVE_EVENT_TYPE);
        flows.declare(QrCodeRotation.FLOW);
        flows.declare(QrNotification.FLOW);
        registry.bind("qrCodes", codes);
        registry.bind("qrNotification", notification);
        registry.bind("qrCodeRotation", rotation);
        registry.bind("qrCodeSweep", sweep);
        registry.bind("onboardingQrCodes", new OnboardingQrCodeApi(codes, sweep,
                registry.lookupByNameAndType("listPages", ListPages.class), clock));

        Scheduler scheduler = SweepScheduler.create(database.dataSource(), database.vendor(), nodeRegistry.nodeId());
        // a fired job finds its CamelContext by the name stored with the trigger (usingFixedCamelContextName): the
        // context name, the same on every instance of a deployment, whatever JMX calls each one
        camelContext.addStartupListener((context, alreadyStarted) ->
                scheduler.getContext().put("CamelQuartzCamelContext-" + context.getName(), context));
        QuartzComponent quartz = new QuartzComponent();
        quartz.setScheduler(scheduler);
        registry.bind("quartz", quartz);
        camelContext.addService(new ServiceSupport() {
            @Override
            protected void doStop() throws Exception {
                // leave the cluster at once, so the others take the next tick without waiting for a check-in timeout
                scheduler.shutdown(true);
            }
        });
    }
}
