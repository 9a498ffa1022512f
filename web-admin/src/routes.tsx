// Client routes under /admin. The signed-in screens sit under <Protected>; each declares the
// permission it needs (the same one the navigation uses), so a screen a role cannot use says
// so instead of rendering empty. Screens load on demand.

import { lazy, Suspense, type ReactNode } from 'react';
import { createBrowserRouter } from 'react-router';
import { useAuth } from './auth/AuthContext';
import { Protected } from './auth/Protected';
import { Forbidden, FullPageLoader } from './components/states';
import { NAV_ITEMS } from './lib/nav';

const LoginPage = lazy(() => import('./pages/LoginPage'));
const SetupPage = lazy(() => import('./pages/SetupPage'));
const AcceptInvitationPage = lazy(() => import('./pages/AcceptInvitationPage'));
const DashboardPage = lazy(() => import('./pages/DashboardPage'));
const CustomersPage = lazy(() => import('./pages/CustomersPage'));
const CustomerDetailPage = lazy(() => import('./pages/CustomerDetailPage'));
const StaffPage = lazy(() => import('./pages/StaffPage'));
const StaffDetailPage = lazy(() => import('./pages/StaffDetailPage'));
const InvitationsPage = lazy(() => import('./pages/InvitationsPage'));
const ApiKeysPage = lazy(() => import('./pages/ApiKeysPage'));
const AuditPage = lazy(() => import('./pages/AuditPage'));
const ConfigListPage = lazy(() => import('./pages/ConfigListPage'));
const ConfigEditorPage = lazy(() => import('./pages/ConfigEditorPage'));
const GroupsPage = lazy(() => import('./pages/GroupsPage'));
const OrdersPage = lazy(() => import('./pages/OrdersPage'));
const OrderDetailPage = lazy(() => import('./pages/OrderDetailPage'));
const PackagesPage = lazy(() => import('./pages/PackagesPage'));
const PackageDetailPage = lazy(() => import('./pages/PackageDetailPage'));
const ProductsPage = lazy(() => import('./pages/ProductsPage'));
const ProductDetailPage = lazy(() => import('./pages/ProductDetailPage'));
const CouponsPage = lazy(() => import('./pages/CouponsPage'));
const CouponDetailPage = lazy(() => import('./pages/CouponDetailPage'));
const GiftCardsPage = lazy(() => import('./pages/GiftCardsPage'));
const GiftCardDetailPage = lazy(() => import('./pages/GiftCardDetailPage'));
const PaymentMethodsPage = lazy(() => import('./pages/PaymentMethodsPage'));
const CustomerPackagesPage = lazy(() => import('./pages/CustomerPackagesPage'));
const NodeServersPage = lazy(() => import('./pages/NodeServersPage'));
const NodeServerDetailPage = lazy(() => import('./pages/NodeServerDetailPage'));
const NodeClientsPage = lazy(() => import('./pages/NodeClientsPage'));
const NodeClientDetailPage = lazy(() => import('./pages/NodeClientDetailPage'));
const NodeStatusPage = lazy(() => import('./pages/NodeStatusPage'));
const TicketsPage = lazy(() => import('./pages/TicketsPage'));
const TicketDetailPage = lazy(() => import('./pages/TicketDetailPage'));
const AnnouncementsPage = lazy(() => import('./pages/AnnouncementsPage'));
const CommissionsPage = lazy(() => import('./pages/CommissionsPage'));
const WebhooksPage = lazy(() => import('./pages/WebhooksPage'));
const WebhookDetailPage = lazy(() => import('./pages/WebhookDetailPage'));
const AccountPage = lazy(() => import('./pages/AccountPage'));
const NotFoundPage = lazy(() => import('./pages/NotFoundPage'));

function permissionOf(key: string): string {
    return NAV_ITEMS.find((i) => i.key === key)?.permission ?? 'self';
}

function Guard({ screen, children }: { screen: string; children: ReactNode }) {
    const { can } = useAuth();
    const permission = permissionOf(screen);
    return can(permission) ? <>{children}</> : <Forbidden permission={permission} />;
}

function Public({ children }: { children: ReactNode }) {
    return <Suspense fallback={<FullPageLoader />}>{children}</Suspense>;
}

export const router = createBrowserRouter(
    [
        { path: '/login', element: <Public><LoginPage /></Public> },
        { path: '/setup', element: <Public><SetupPage /></Public> },
        { path: '/invitations/accept', element: <Public><AcceptInvitationPage /></Public> },
        {
            element: <Protected />,
            children: [
                { index: true, element: <Guard screen="dashboard"><DashboardPage /></Guard> },
                { path: 'customers', element: <Guard screen="customers"><CustomersPage /></Guard> },
                { path: 'customers/:id', element: <Guard screen="customers"><CustomerDetailPage /></Guard> },
                { path: 'customer-packages', element: <Guard screen="customerPackages"><CustomerPackagesPage /></Guard> },
                { path: 'tickets', element: <Guard screen="tickets"><TicketsPage /></Guard> },
                { path: 'tickets/:id', element: <Guard screen="tickets"><TicketDetailPage /></Guard> },
                { path: 'announcements', element: <Guard screen="announcements"><AnnouncementsPage /></Guard> },
                { path: 'commissions', element: <Guard screen="commissions"><CommissionsPage /></Guard> },
                { path: 'webhooks', element: <Guard screen="webhooks"><WebhooksPage /></Guard> },
                { path: 'webhooks/:id', element: <Guard screen="webhooks"><WebhookDetailPage /></Guard> },
                { path: 'groups', element: <Guard screen="groups"><GroupsPage /></Guard> },
                { path: 'orders', element: <Guard screen="orders"><OrdersPage /></Guard> },
                { path: 'orders/:id', element: <Guard screen="orders"><OrderDetailPage /></Guard> },
                { path: 'packages', element: <Guard screen="packages"><PackagesPage /></Guard> },
                { path: 'packages/:id', element: <Guard screen="packages"><PackageDetailPage /></Guard> },
                { path: 'products', element: <Guard screen="products"><ProductsPage /></Guard> },
                { path: 'products/:id', element: <Guard screen="products"><ProductDetailPage /></Guard> },
                { path: 'coupons', element: <Guard screen="coupons"><CouponsPage /></Guard> },
                { path: 'coupons/:id', element: <Guard screen="coupons"><CouponDetailPage /></Guard> },
                { path: 'gift-cards', element: <Guard screen="giftCards"><GiftCardsPage /></Guard> },
                { path: 'gift-cards/:id', element: <Guard screen="giftCards"><GiftCardDetailPage /></Guard> },
                { path: 'payment-methods', element: <Guard screen="paymentMethods"><PaymentMethodsPage /></Guard> },
                { path: 'nodes/servers', element: <Guard screen="nodeServers"><NodeServersPage /></Guard> },
                { path: 'nodes/servers/:id', element: <Guard screen="nodeServers"><NodeServerDetailPage /></Guard> },
                { path: 'nodes/clients', element: <Guard screen="nodeClients"><NodeClientsPage /></Guard> },
                { path: 'nodes/clients/:id', element: <Guard screen="nodeClients"><NodeClientDetailPage /></Guard> },
                { path: 'nodes/status', element: <Guard screen="nodeStatus"><NodeStatusPage /></Guard> },
                { path: 'staff', element: <Guard screen="staff"><StaffPage /></Guard> },
                { path: 'staff/:id', element: <Guard screen="staff"><StaffDetailPage /></Guard> },
                { path: 'invitations', element: <Guard screen="invitations"><InvitationsPage /></Guard> },
                { path: 'api-keys', element: <Guard screen="apiKeys"><ApiKeysPage /></Guard> },
                { path: 'audit', element: <Guard screen="audit"><AuditPage /></Guard> },
                { path: 'config', element: <Guard screen="config"><ConfigListPage /></Guard> },
                { path: 'config/:key', element: <Guard screen="config"><ConfigEditorPage /></Guard> },
                { path: 'account', element: <AccountPage /> },
                { path: '*', element: <NotFoundPage /> },
            ],
        },
    ],
    { basename: '/admin' },
);
