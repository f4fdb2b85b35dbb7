//! The board's network: WiFi through esp-radio, as a station of the network in the
//! settings. Owns the radio, the connect loop with its backoff and the RSSI the telemetry
//! reports; gives embassy-net the interface.

use alloc::format;
use alloc::string::String;
use core::sync::atomic::{AtomicI32, Ordering};

use embassy_executor::Spawner;
use embassy_time::Timer;
use esp_hal::peripherals::WIFI;
use esp_hal::rng::Rng;
use esp_radio::wifi::sta::StationConfig;
use esp_radio::wifi::{
    AuthenticationMethodConfig, Config as WifiConfig, ConnectionError, ControllerConfig,
    DisconnectReason, Interface, WifiController,
};
use thingflash_connection::backoff::Backoff;
use thingflash_protocol::config::DeviceConfig;
use thingflash_protocol::event::{Event, Stage};

use crate::say;

/// What embassy-net drives.
pub type Device = Interface<'static>;

/// Last RSSI seen (dBm; 0 = not associated).
static RSSI: AtomicI32 = AtomicI32::new(0);

/// The signal while associated.
pub fn rssi() -> Option<i16> {
    match RSSI.load(Ordering::Relaxed) {
        0 => None,
        r => Some(r as i16),
    }
}

/// Whether the station is associated with its access point.
pub fn linked() -> bool {
    rssi().is_some()
}

/// Start the radio as a station of the configured network and keep it joined; `None`
/// (reported) when the radio does not start.
pub fn start(spawner: &Spawner, wifi: WIFI<'static>, config: &DeviceConfig) -> Option<Device> {
    let station = StationConfig::default()
        .with_ssid(config.wifi_ssid.as_str().try_into().unwrap_or_default())
        .with_authentication(if config.wifi_password.is_empty() {
            AuthenticationMethodConfig::Open
        } else {
            AuthenticationMethodConfig::WpaWpa2Personal(
                config.wifi_password.as_str().try_into().unwrap_or_default(),
            )
        });
    let controller = match WifiController::new(
        wifi,
        ControllerConfig::default().with_initial_config(WifiConfig::Station(station)),
    ) {
        Ok(c) => c,
        Err(e) => {
            say(&Event::WifiFailed {
                reason: 0,
                detail: format!("the radio did not start: {e:?}").into(),
            });
            return None;
        }
    };
    spawner.spawn(
        wifi_task(controller, config.wifi_ssid.clone(), Rng::new())
            .unwrap_or_else(|e| panic!("wifi task: {e:?}")),
    );
    Some(Interface::station())
}

/// Numbers for the disconnect reasons users hit (ESP-IDF's `wifi_err_reason_t`); the app
/// explains them. Others are 0 with the name in the detail.
fn reason_code(r: DisconnectReason) -> u16 {
    match r {
        DisconnectReason::AuthenticationExpired => 2,
        DisconnectReason::FourWayHandshakeTimeout => 15,
        DisconnectReason::BeaconTimeout => 200,
        DisconnectReason::NoAccessPointFound => 201,
        DisconnectReason::AuthenticationFailed => 202,
        DisconnectReason::AssociationFailed => 203,
        DisconnectReason::HandshakeTimeout => 204,
        DisconnectReason::ConnectionFailed => 205,
        DisconnectReason::NoAccessPointFoundWithCompatibleSecurity => 210,
        _ => 0,
    }
}

#[embassy_executor::task]
async fn wifi_task(mut controller: WifiController<'static>, ssid: String, rng: Rng) {
    let mut backoff = Backoff::new(2_000, 60_000);
    let mut attempt = 0;
    loop {
        attempt += 1;
        say(&Event::WifiConnecting {
            ssid: ssid.as_str().into(),
            attempt,
        });
        match controller.connect_async().await {
            Ok(_) => {
                backoff.reset();
                attempt = 0;
                if let Ok(rssi) = controller.rssi() {
                    RSSI.store(rssi, Ordering::Relaxed);
                }
                let reason = match controller.wait_for_disconnect_async().await {
                    Ok(info) => reason_code(info.reason),
                    Err(_) => 0,
                };
                RSSI.store(0, Ordering::Relaxed);
                say(&Event::WifiDisconnected { reason });
            }
            Err(e) => {
                let (reason, detail) = match e {
                    ConnectionError::Failed(info) => {
                        (reason_code(info.reason), format!("{:?}", info.reason))
                    }
                    ConnectionError::WifiError(w) => (0, format!("{w:?}")),
                    other => (0, format!("{other:?}")),
                };
                say(&Event::WifiFailed {
                    reason,
                    detail: detail.into(),
                });
            }
        }
        let (attempt, delay_ms) = backoff.next(rng.random());
        say(&Event::Retry {
            stage: Stage::Wifi,
            attempt,
            delay_ms,
        });
        Timer::after_millis(u64::from(delay_ms)).await;
    }
}
